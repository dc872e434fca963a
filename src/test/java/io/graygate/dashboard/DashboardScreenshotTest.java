package io.graygate.dashboard;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Takes the README's pictures: the overview and the route page at 1280×800 under traffic, into
 * target/screenshots/ (docs/dashboard-*.png are copies of them).
 */
class DashboardScreenshotTest {

    @TempDir
    Path dir;

    @Test
    void theOverviewAndTheRoutePageAtTheirUsualSize() throws IOException {
        try (Browser browser = Browser.start(); DashboardGateway gw = new DashboardGateway(dir, "")) {
            gw.api("PUT", "/api/routes/demo/split/ramp", "{\"weights\": {\"gray\": 25}}");
            browser.viewport(1280, 800);
            browser.open(gw.dashboard());
            OverviewPage overview = new OverviewPage(browser);
            gw.grayPercent(300, "warm-up-");
            overview.awaitShare("demo", "gray", 25.0);
            Path overviewShot = Path.of("target/screenshots/dashboard-overview.png");
            browser.screenshot(overviewShot);

            browser.open(gw.dashboard() + "#/route/demo");
            new RoutePage(browser);
            browser.driver.findElement(By.cssSelector(".ip-set[data-set='testers'] .entries li"));
            Path routeShot = Path.of("target/screenshots/dashboard-route.png");
            browser.screenshot(routeShot);

            for (Path shot : new Path[] {overviewShot, routeShot}) {
                BufferedImage image = javax.imageio.ImageIO.read(shot.toFile());
                assertThat(image.getWidth()).isEqualTo(1280);
                assertThat(image.getHeight()).isEqualTo(800);
            }
        }
    }
}
