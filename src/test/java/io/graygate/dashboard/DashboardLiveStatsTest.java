package io.graygate.dashboard;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The overview's live figures come from the proxy's traffic, per version: what one version gets shows on its row
 * alone. On a gateway without the stats API the same traffic must leave the page saying so, and drawing no figure.
 */
class DashboardLiveStatsTest {

    @TempDir
    Path dir;

    DashboardFixture fixture;
    Browser browser;
    DashboardGateway gw;

    @BeforeEach
    void start() {
        fixture = new DashboardFixture(dir);
        browser = fixture.browser;
        gw = fixture.gw;
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    @Test
    void failingRequestsToGrayShowOnGraysRowAsErrorsWithALatencyAndProductionStaysIdle() {
        // a tester's requests all go to gray, and each is answered 500 by the upstream
        fixture.inBackground(i -> gw.get("/?status=500", "192.0.2.1"), 0);
        fixture.open("");
        OverviewPage overview = new OverviewPage(browser);

        DashboardGateway.Api stats = gw.api("GET", "/api/stats?route=demo&window=10s", null);
        if (stats.status() == 404 && stats.json().path("error").asText().startsWith("no such endpoint")) {
            browser.waiting().until(d -> overview.text().contains("Live statistics (GET /api/stats): not available on this gateway"));
            assertThat(overview.figure("demo", "gray", "rate")).isEqualTo("—");
            assertThat(overview.card("demo").findElements(By.cssSelector("canvas"))).isEmpty();
            return;
        }
        browser.waiting().until(d -> overview.figure("demo", "gray", "rate").matches("[0-9.]+") && Double.parseDouble(overview.figure("demo", "gray", "rate")) > 0);
        browser.waiting().until(d -> overview.figure("demo", "gray", "errors").equals("100.00%"));
        assertThat(overview.figure("demo", "gray", "p99")).endsWith(" ms");
        assertThat(overview.figure("demo", "production", "rate")).isEqualTo("0.0");
        assertThat(overview.figure("demo", "production", "p99")).isEqualTo("—");
        // the sparklines draw what the page collected: a canvas per figure
        assertThat(overview.card("demo").findElements(By.cssSelector("tr[data-version='gray'] canvas"))).hasSize(3);
        assertThat(overview.text()).doesNotContain("Live statistics (GET /api/stats): not available");
    }
}
