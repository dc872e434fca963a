package io.graygate.dashboard;

import io.graygate.testing.GatewayProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Takes the README's pictures at 1280×800 into target/screenshots/, after checking that the page shows what the
 * picture is meant to show: the overview of {@code graygate serve --demo} during a rollout of gray, and the route
 * page. {@code -DcopyScreenshotsTo=docs} also copies each picture there, which is how docs/dashboard-*.png are made:
 * {@code mvn -q test -Dtest=DashboardScreenshotTest -DcopyScreenshotsTo=docs}.
 */
class DashboardScreenshotTest {

    static final String COPY_TO = System.getProperty("copyScreenshotsTo", "");

    /** The README's walkthrough with shorter steps: 10% for 2 s, then 50% held while the picture is taken. */
    static final String DEMO_ROLLOUT = "{\"version\": \"gray\","
            + " \"steps\": [{\"weight\": 10, \"pause\": \"2s\"}, {\"weight\": 50, \"pause\": \"10m\"}, {\"weight\": 100, \"pause\": \"10m\"}],"
            + " \"analysis\": {\"interval\": \"1s\", \"minRequests\": 5, \"maxErrorRate\": \"1%\", \"maxP99\": \"500ms\", \"failureLimit\": 2}}";

    @TempDir
    Path dir;

    @Test
    void theOverviewOfTheDemoDuringARolloutShowsItsStepTheSharesAndTheLiveFigures() throws Exception {
        try (GatewayProcess demo = GatewayProcess.launch("demo", "--demo", "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0",
                "--store", "file:" + dir.resolve("rules.json")).awaitServing(); Browser browser = Browser.start()) {
            // gray answers 3 ms late (the demo's /_demo/delay), so its p99 stands apart from production's
            assertThat(post(demo.demoStandIn("gray").resolve("/_demo/delay?ms=3"))).isEqualTo("answering 3 ms late\n");
            // many clients (the demo trusts loopback, so X-Real-IP plays them): the rollout's split is by client address
            try (BackgroundRequests users = BackgroundRequests.start(i -> clientGet(demo, "10.0." + (i / 250 % 250) + "." + (i % 250)), 3)) {
                browser.viewport(1280, 800);
                browser.open(demo.adminUri() + "/");
                OverviewPage overview = new OverviewPage(browser);
                HttpResponse<String> started = demo.admin("POST", "/api/routes/demo/rollout", DEMO_ROLLOUT);
                assertThat(started.statusCode()).as(started.body()).isEqualTo(200);

                browser.waiting().withTimeout(Duration.ofSeconds(20))
                        .until(d -> overview.rolloutLine("demo").startsWith("rollout gray: progressing, step 2 of 3 at 50%"));
                overview.awaitShare("demo", "production", 50.0);
                assertThat(overview.shares("demo")).containsExactly(Map.entry("production", 50.0), Map.entry("gray", 50.0));
                for (String version : new String[] {"production", "gray"}) {
                    browser.waiting().until(d -> overview.figure("demo", version, "rate").matches("[0-9.]+")
                            && Double.parseDouble(overview.figure("demo", version, "rate")) > 0);
                    assertThat(overview.figure("demo", version, "errors")).isEqualTo("0.00%");
                    assertThat(overview.figure("demo", version, "p99")).endsWith(" ms");
                }
                // enough refreshes that each sparkline has a line to draw: a canvas per figure and version
                browser.waiting().until(d -> (Long) browser.js("return performance.getEntriesByType('resource')"
                        + ".filter(e => e.name.includes('/api/stats?route=demo')).length") >= 6);
                assertThat(overview.card("demo").findElements(By.cssSelector("tr[data-version] canvas"))).hasSize(6);
                assertThat(overview.rolloutLine("demo")).startsWith("rollout gray: progressing, step 2 of 3 at 50%");
                keep(browser, "dashboard-overview.png");
            }
        }
    }

    @Test
    void theRoutePageShowsItsRulesSplitAndIpSets(@TempDir Path stateDir) {
        try (Browser browser = Browser.start(); DashboardGateway gw = new DashboardGateway(stateDir, "")) {
            browser.viewport(1280, 800);
            browser.open(gw.dashboard() + "#/route/demo");
            RoutePage page = new RoutePage(browser);
            page.awaitEntry("testers", "192.0.2.1");
            assertThat(page.rules()).hasSize(4);
            assertThat(page.shownWeight("ramp", "gray")).isEqualTo("10%");
            keep(browser, "dashboard-route.png");
        }
    }

    /** Takes the picture into target/screenshots/NAME (and COPY_TO/NAME when asked), checking its size. */
    static void keep(Browser browser, String name) {
        Path shot = Path.of("target/screenshots", name);
        browser.screenshot(shot);
        try {
            BufferedImage image = ImageIO.read(shot.toFile());
            assertThat(image.getWidth()).isEqualTo(1280);
            assertThat(image.getHeight()).isEqualTo(800);
            if (!COPY_TO.isEmpty()) Files.copy(shot, Files.createDirectories(Path.of(COPY_TO)).resolve(name), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void clientGet(GatewayProcess demo, String clientIp) {
        try {
            demo.get("/", Map.of("X-Real-IP", clientIp));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static String post(URI uri) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
