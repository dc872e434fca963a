package io.graygate.dashboard;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A rollout whose new version fails is shown aborted on the route page, with the failing interval's figure beside
 * its threshold. On a gateway without rollouts the panel must say so instead.
 */
class DashboardRolloutTest {

    @TempDir
    Path dir;

    Browser browser;
    DashboardGateway gw;
    final AtomicBoolean loading = new AtomicBoolean(true);
    Thread load;

    @BeforeEach
    void start() {
        browser = Browser.start();
        gw = new DashboardGateway(dir, "");
    }

    @AfterEach
    void stop() throws InterruptedException {
        loading.set(false);
        if (load != null) load.join();
        browser.close();
        gw.close();
    }

    @Test
    void aRolloutOfAVersionThatFailsIsShownAbortedWithTheFailingErrorRate() {
        DashboardGateway.Api probe = gw.api("GET", "/api/routes/demo/rollout", null);
        browser.viewport(1280, 800);
        if (probe.status() == 404 && probe.json().path("error").asText().startsWith("no such endpoint")) {
            browser.open(gw.dashboard() + "#/route/demo");
            new RoutePage(browser);
            assertThat(browser.driver.findElement(By.cssSelector(".card.rollout")).getText())
                    .contains("Rollouts (/api/routes/{route}/rollout): not available on this gateway");
            return;
        }
        // gray is gone: each request the split sends there fails (502), each analysis sees errors only on gray
        gw.stopGray();
        load = new Thread(() -> {
            for (int i = 0; loading.get(); i++) gw.versionFor("198.51.100.30", "user-" + i);
        });
        load.start();
        DashboardGateway.Api started = gw.api("POST", "/api/routes/demo/rollout", "{\"version\": \"gray\", \"rule\": \"ramp\","
                + " \"steps\": [{\"weight\": 20, \"pause\": \"1m\"}, {\"weight\": 100, \"pause\": \"1m\"}],"
                + " \"analysis\": {\"interval\": \"1s\", \"minRequests\": 5, \"maxErrorRate\": \"1%\", \"failureLimit\": 2}}");
        assertThat(started.status()).as(started.json().toString()).isEqualTo(200);

        browser.open(gw.dashboard() + "#/route/demo");
        new RoutePage(browser);
        browser.waiting().withTimeout(Duration.ofSeconds(60))
                .until(d -> d.findElement(By.id("rollout-state")).getText().startsWith("gray: aborted"));
        assertThat(browser.driver.findElement(By.id("rollout-state")).getText()).contains("error rate");
        List<WebElement> failed = browser.driver.findElements(By.cssSelector("#rollout-analyses tr.verdict-fail"));
        assertThat(failed).isNotEmpty();
        String row = failed.get(0).getText();
        assertThat(row).contains("100%").contains("max 1%").contains("fail");
        assertThat(browser.driver.findElements(By.id("rollout-abort"))).as("no control on an aborted rollout").isEmpty();
    }
}
