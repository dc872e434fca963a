package io.graygate.dashboard;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Takes the README's pictures: the overview (under traffic, one request in 40 failing) and the route page at 1280×800, into
 * target/screenshots/ (docs/dashboard-*.png are copies of them).
 */
class DashboardScreenshotTest {

    @TempDir
    Path dir;

    @Test
    void theOverviewAndTheRoutePageAtTheirUsualSize() throws IOException, InterruptedException {
        try (Browser browser = Browser.start(); DashboardGateway gw = new DashboardGateway(dir, "")) {
            gw.api("PUT", "/api/routes/demo/split/ramp", "{\"weights\": {\"gray\": 25}}");
            AtomicBoolean loading = new AtomicBoolean(true);
            Thread load = new Thread(() -> {
                for (int i = 0; loading.get(); i++) gw.get(i % 40 == 0 ? "/?status=500" : "/", "198.51.100." + (i % 200));
            });
            load.start();
            try {
                browser.viewport(1280, 800);
                browser.open(gw.dashboard());
                OverviewPage overview = new OverviewPage(browser);
                overview.awaitShare("demo", "gray", 25.0);
                // a few refreshes, so that the sparklines have a line to draw
                browser.waiting().until(d -> (Long) browser.js("return performance.getEntriesByType('resource')"
                        + ".filter(e => e.name.includes('/api/stats?route=demo')).length") >= 6);
            } finally {
                loading.set(false);
                load.join();
            }
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
