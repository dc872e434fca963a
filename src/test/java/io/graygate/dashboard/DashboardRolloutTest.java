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
import java.util.Map;

import static io.graygate.testing.Polling.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The route page's rollout panel: a rollout whose new version fails is shown aborted, with the failing interval's
 * figure beside its threshold; its pause, resume, promote and abort buttons change the rollout the API reports and
 * where the proxy sends requests. On a gateway without rollouts the panel must say so instead.
 */
class DashboardRolloutTest {

    /** Two steps held long enough that only the buttons move the rollout on; judged every second. */
    static final String TWO_STEPS = "{\"version\": \"gray\", \"rule\": \"ramp\","
            + " \"steps\": [{\"weight\": 20, \"pause\": \"10m\"}, {\"weight\": 60, \"pause\": \"10m\"}],"
            + " \"analysis\": {\"interval\": \"1s\", \"minRequests\": 5, \"maxErrorRate\": \"5%\", \"failureLimit\": 2}}";

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

    /** True when this gateway has no rollout API: the panel says so, and the test has nothing more to check. */
    boolean rolloutsMissing() {
        DashboardGateway.Api probe = gw.api("GET", "/api/routes/demo/rollout", null);
        if (!(probe.status() == 404 && probe.json().path("error").asText().startsWith("no such endpoint"))) return false;
        fixture.open("#/route/demo");
        new RoutePage(browser);
        assertThat(browser.driver.findElement(By.cssSelector(".card.rollout")).getText())
                .contains("Rollouts (/api/routes/{route}/rollout): not available on this gateway");
        return true;
    }

    /** Users with distinct uid cookies (the split's key), from an address in no IP set, a few milliseconds apart. */
    void usersInBackground() {
        fixture.inBackground(i -> gw.versionFor("198.51.100.30", "user-" + i), 2);
    }

    DashboardGateway.Api rollout() {
        return gw.api("GET", "/api/routes/demo/rollout", null);
    }

    /** Starts {@link #TWO_STEPS} and opens the route page once the first step's 20% is in force. */
    RoutePage rolloutAtItsFirstStep() {
        DashboardGateway.Api started = gw.api("POST", "/api/routes/demo/rollout", TWO_STEPS);
        assertThat(started.status()).as(started.json().toString()).isEqualTo(200);
        await("the first step's split in force", Duration.ofSeconds(10), () -> rollout().json().path("settled").asBoolean()
                && gw.api("GET", "/api/routes/demo/policy", null).json().at("/policy/rules/2/split/weights/gray").asDouble() == 20.0);
        fixture.open("#/route/demo");
        return new RoutePage(browser).awaitRolloutState("gray: progressing, step 1 of 2 at 20%");
    }

    @Test
    void aRolloutOfAVersionThatFailsIsShownAbortedWithTheFailingErrorRate() {
        if (rolloutsMissing()) return;
        // gray is gone: each request the split sends there fails (502), each analysis sees errors only on gray
        gw.stopGray();
        usersInBackground();
        DashboardGateway.Api started = gw.api("POST", "/api/routes/demo/rollout", "{\"version\": \"gray\", \"rule\": \"ramp\","
                + " \"steps\": [{\"weight\": 20, \"pause\": \"1m\"}, {\"weight\": 100, \"pause\": \"1m\"}],"
                + " \"analysis\": {\"interval\": \"1s\", \"minRequests\": 5, \"maxErrorRate\": \"1%\", \"failureLimit\": 2}}");
        assertThat(started.status()).as(started.json().toString()).isEqualTo(200);

        fixture.open("#/route/demo");
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

    @Test
    void pauseThenResumeThenPromoteInThePageDriveTheRolloutAndPromoteSendsEveryoneToTheNewVersion() {
        usersInBackground();
        RoutePage page = rolloutAtItsFirstStep();
        assertThat(page.rolloutControls()).containsExactly("pause", "promote", "abort");

        page.rolloutControl("pause");
        page.awaitRolloutState("gray: paused, step 1 of 2 at 20% — paused by admin");
        assertThat(rollout().json().path("state").asText()).isEqualTo("paused");
        assertThat(page.rolloutControls()).containsExactly("resume", "promote", "abort");
        // paused holds the step: the split stays at 20% (one standard deviation over 1,000 keys is 1.3 points)
        assertThat(gw.grayPercent(1000, "paused-")).isBetween(14.0, 26.0);

        page.rolloutControl("resume");
        page.awaitRolloutState("gray: progressing, step 1 of 2 at 20% — resumed by admin");
        assertThat(rollout().json().path("state").asText()).isEqualTo("progressing");
        assertThat(page.rolloutControls()).containsExactly("pause", "promote", "abort");

        long before = page.revision();
        page.rolloutControl("promote");
        page.awaitRolloutState("gray: succeeded");
        assertThat(page.rolloutState()).contains("promoted by admin");
        assertThat(rollout().json().path("state").asText()).isEqualTo("succeeded");
        assertThat(page.rolloutControls()).as("no control on a finished rollout").isEmpty();
        // onSuccess switch: the override, put in force by the controller's next tick, and drawn by the page
        page.awaitRevisionAfter(before);
        browser.waiting().until(d -> page.rules().get(0).equals("override: everyone to gray"));
        await("the rollout settled", Duration.ofSeconds(10), () -> rollout().json().path("settled").asBoolean());
        assertThat(gw.grayPercent(200, "promoted-")).isEqualTo(100.0);
    }

    @Test
    void abortInThePageSendsNoOneMoreToTheNewVersion() {
        usersInBackground();
        RoutePage page = rolloutAtItsFirstStep();
        assertThat(gw.grayPercent(1000, "before-")).isBetween(14.0, 26.0);

        long before = page.revision();
        page.rolloutControl("abort");
        page.awaitRolloutState("gray: aborted");
        assertThat(page.rolloutState()).contains("aborted by admin");
        assertThat(rollout().json().path("state").asText()).isEqualTo("aborted");
        assertThat(page.rolloutControls()).isEmpty();
        // onAbort rollback: gray's weight back to 0 at the next tick, a new revision the page draws
        page.awaitRevisionAfter(before);
        await("the rollout settled", Duration.ofSeconds(10), () -> rollout().json().path("settled").asBoolean());
        assertThat(gw.api("GET", "/api/routes/demo/policy", null).json().at("/policy/rules/2/split/weights").toString()).isEqualTo("{\"gray\":0}");
        assertThat(gw.grayPercent(400, "aborted-")).isEqualTo(0.0);
    }

    @Test
    void aRolloutPausedByAnotherOperatorShowsPausedOnTheOpenPageAndItsAnalysesKeepComingEvenWhileSomeoneTypes() {
        usersInBackground();
        RoutePage page = rolloutAtItsFirstStep();
        long revision = page.revision();
        // each interval's analysis is drawn as it comes, though the route's revision stays the same
        int shown = analysesShown();
        browser.waiting().until(d -> analysesShown() > shown);

        // someone is typing in the page: the rest of it is left alone, the rollout panel is still drawn again
        page.typeToAdd("testers", "203.0.113.9");
        DashboardGateway.Api paused = gw.api("POST", "/api/routes/demo/rollout/pause", null, Map.of("X-Graygate-Actor", "alice@laptop"));
        assertThat(paused.status()).as(paused.json().toString()).isEqualTo(200);
        page.awaitRolloutState("gray: paused, step 1 of 2 at 20% — paused by admin (alice@laptop)");
        assertThat(page.rolloutControls()).containsExactly("resume", "promote", "abort");
        assertThat(page.revision()).isEqualTo(revision);
        assertThat(page.typedToAdd("testers")).isEqualTo("203.0.113.9");
    }

    int analysesShown() {
        return browser.driver.findElements(By.cssSelector("#rollout-analyses tbody tr")).size();
    }
}
