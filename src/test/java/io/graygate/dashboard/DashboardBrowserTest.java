package io.graygate.dashboard;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.graygate.testing.Polling.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard in headless Chromium against a whole gateway (real upstreams, the proxy, the admin listener): what a
 * person does in the page must change what the proxy does, and the page must load cleanly.
 */
class DashboardBrowserTest {

    static Browser browser;

    @TempDir
    Path dir;

    DashboardGateway gw;

    @BeforeAll
    static void startBrowser() {
        browser = Browser.start();
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) browser.close();
    }

    @AfterEach
    void stopGateway() {
        browser.open("about:blank"); // the page stops polling before its gateway goes away
        browser.problems(); // what one test left in the console is not the next one's
        if (gw != null) gw.close();
    }

    OverviewPage open(String token) {
        gw = new DashboardGateway(dir, token);
        browser.viewport(1280, 800);
        browser.open(gw.dashboard());
        if (!token.isEmpty()) new SignInPage(browser).signInWith(token);
        return new OverviewPage(browser);
    }

    RoutePage routePage() {
        return open("").openRoute("demo");
    }

    /**
     * Failed loads that are expected: the endpoints of features this gateway does not have yet, each asked once and
     * shown as "not available". An endpoint is excused only while the gateway really answers it "no such endpoint".
     */
    List<String> missingEndpoints() {
        List<String> missing = new ArrayList<>();
        for (String path : List.of("/api/stats?route=demo&window=10s&scope=cluster", "/api/nodes", "/api/audit?limit=500", "/api/routes/demo/rollout")) {
            DashboardGateway.Api r = gw.api("GET", path, null);
            if (r.status() == 404 && r.json().path("error").asText().startsWith("no such endpoint")) missing.add(path.replaceAll("\\?.*", ""));
        }
        return missing;
    }

    static boolean mentionsAny(String line, List<String> paths) {
        return paths.stream().anyMatch(p -> line.contains(p + "?") || line.contains(p + " ") || line.endsWith(p));
    }

    @Test
    void everyPageLoadsWithNoConsoleErrorAndNoFailedRequest() {
        OverviewPage overview = open("");
        assertThat(overview.shares("demo")).containsEntry("production", 90.0).containsEntry("gray", 10.0);
        assertThat(overview.storeState()).isEqualTo("connected");
        RoutePage route = overview.openRoute("demo");
        assertThat(route.rules()).containsExactly(
                "testers: when client IP in set testers → gray",
                "beta: when header X-Beta is \"on\" → gray",
                "ramp: split by cookie uid: 10% to gray, the rest to production",
                "otherwise → production (the baseline)");
        browser.open(gw.dashboard() + "#/explain");
        new ExplainPage(browser);
        browser.open(gw.dashboard() + "#/audit");
        browser.waiting().until(d -> !d.findElements(By.cssSelector("#audit-entries > *")).isEmpty());
        browser.open(gw.dashboard());
        new OverviewPage(browser);
        // two refreshes of the overview go by: polling adds no error either
        long before = gw.gateway.rules().snapshotInfo().revision();
        await("two overview refreshes", Duration.ofSeconds(10), () -> browser.js("return document.querySelectorAll('.route-card').length").equals(2L)
                && (Long) browser.js("return performance.getEntriesByType('resource').filter(e => e.name.endsWith('/api/routes')).length") >= 3);
        assertThat(gw.gateway.rules().snapshotInfo().revision()).isEqualTo(before);

        List<String> missing = missingEndpoints();
        assertThat(browser.problems()).allSatisfy(line -> assertThat(mentionsAny(line, missing)).as(line).isTrue());
        assertThat(browser.failedRequests()).allSatisfy(line -> assertThat(line).startsWith("404 ").matches(l -> mentionsAny(l, missing), "a missing endpoint"));
        // The overview shows the live figures and the nodes: when either endpoint is missing, it says so.
        if (missing.contains("/api/stats") || missing.contains("/api/nodes")) assertThat(overview.text()).contains("not available");
    }

    @Test
    void signingInWithAWrongTokenShowsTheErrorAndTheRightOneIsKeptInTheTabOnly() {
        gw = new DashboardGateway(dir, "s3cret");
        browser.open(gw.dashboard());
        SignInPage signIn = new SignInPage(browser);
        signIn.signInWith("wrong");
        assertThat(signIn.error()).isEqualTo("unauthorized: wrong token");
        assertThat(browser.driver.findElements(By.cssSelector(".route-card"))).isEmpty();

        signIn.signInWith("s3cret");
        OverviewPage overview = new OverviewPage(browser);
        assertThat(overview.shares("demo")).containsEntry("gray", 10.0);
        assertThat(browser.js("return sessionStorage.getItem('graygate.adminToken')")).isEqualTo("s3cret");
        assertThat(browser.driver.manage().getCookies()).isEmpty();
        assertThat(browser.js("return localStorage.length")).isEqualTo(0L);
    }

    @Test
    void withoutATokenConfiguredNoneIsAsked() {
        open("");
        assertThat(browser.driver.findElements(By.id("sign-in"))).isEmpty();
        assertThat(browser.driver.findElement(By.id("sign-out")).isDisplayed()).isFalse();
    }

    @Test
    void addingAnIpInThePageSendsThatClientToGrayThroughTheProxy() {
        RoutePage page = routePage();
        assertThat(gw.versionFor("203.0.113.7", null)).isEqualTo("production");
        long before = page.revision();

        page.addToSet("testers", "203.0.113.7");
        page.awaitRevisionAfter(before).awaitEntry("testers", "203.0.113.7");

        assertThat(gw.versionFor("203.0.113.7", null)).isEqualTo("gray");
        assertThat(gw.versionFor("203.0.113.8", null)).isEqualTo("production");
        assertThat(page.entries("testers")).containsExactly("10.1.0.0/16", "192.0.2.1", "203.0.113.7");

        page.search("testers", "192.0");
        browser.waiting().until(d -> page.entries("testers").equals(List.of("192.0.2.1")));

        long added = page.revision();
        page.removeFromSet("testers", "192.0.2.1");
        page.awaitRevisionAfter(added);
        assertThat(gw.versionFor("192.0.2.1", null)).isEqualTo("production");
    }

    @Test
    void anInvalidIpShowsTheApisMessageBesideTheFieldAndChangesNothing() {
        RoutePage page = routePage();
        long before = page.revision();
        DashboardGateway.Api direct = gw.api("POST", "/api/routes/demo/sets/testers", "{\"entries\": [\"10.0.0.300\"]}");
        assertThat(direct.status()).isEqualTo(400);

        page.addToSet("testers", "10.0.0.300");

        assertThat(page.addError("testers")).isEqualTo(direct.json().get("error").asText()).contains("10.0.0.300");
        assertThat(gw.api("GET", "/api/routes/demo", null).json().get("revision").asLong()).isEqualTo(before);
        assertThat(gw.api("GET", "/api/routes/demo/sets/testers", null).json().get("size").asInt()).isEqualTo(2);
        assertThat(page.entries("testers")).containsExactly("10.1.0.0/16", "192.0.2.1");
    }

    @Test
    void movingTheSplitTo30PercentChangesTheProxysSplit() {
        RoutePage page = routePage();
        // 4,000 distinct keys: one standard deviation of the measured share is under a point
        assertThat(gw.grayPercent(4000, "before-")).isBetween(7.0, 13.0);
        long before = page.revision();

        page.moveSplit("ramp", "gray", 30);
        assertThat(page.shownWeight("ramp", "gray")).isEqualTo("30%");
        assertThat(page.applySplit("ramp")).isEqualTo("Change ramp: gray 10% → 30%?");
        assertThat(gw.api("GET", "/api/routes/demo", null).json().get("revision").asLong()).as("nothing before the confirmation").isEqualTo(before);
        page.confirmSplit("ramp");
        page.awaitRevisionAfter(before);

        assertThat(gw.grayPercent(4000, "after-")).isBetween(27.0, 33.0);
        assertThat(gw.api("GET", "/api/routes/demo/policy", null).json().at("/policy/rules/2/split/weights/gray").asDouble()).isEqualTo(30.0);
    }

    @Test
    void cancellingTheSplitsConfirmationChangesNothing() {
        RoutePage page = routePage();
        long before = page.revision();
        page.moveSplit("ramp", "gray", 20);
        page.applySplit("ramp");
        page.cancelSplit("ramp");
        browser.waiting().until(d -> page.shownWeight("ramp", "gray").equals("10%"));
        assertThat(gw.api("GET", "/api/routes/demo", null).json().get("revision").asLong()).isEqualTo(before);
        assertThat(gw.grayPercent(2000, "cancel-")).isBetween(6.0, 14.0);
    }

    @Test
    void switchAndRollbackButtonsChangeRouting() {
        RoutePage page = routePage();
        long seeded = page.revision();

        page.switchTo("gray");
        page.awaitRevisionAfter(seeded);
        long allGray = page.revision();
        assertThat(gw.grayPercent(200, "switch-")).isEqualTo(100.0);
        assertThat(page.rules().get(0)).isEqualTo("override: everyone to gray");

        page.rollBack();
        page.awaitRevisionAfter(allGray);
        assertThat(gw.grayPercent(2000, "rollback-")).isBetween(6.0, 14.0);

        long rolledBack = page.revision();
        page.switchTo("production");
        page.awaitRevisionAfter(rolledBack);
        assertThat(gw.grayPercent(200, "production-")).isEqualTo(0.0);
        assertThat(gw.versionFor("192.0.2.1", null)).isEqualTo("production");

        long allProduction = page.revision();
        page.rollBackTo(allGray);
        page.awaitRevisionAfter(allProduction);
        assertThat(gw.grayPercent(200, "to-")).isEqualTo(100.0);
        assertThat(page.text()).contains("rollback to revision " + allGray);
    }

    @Test
    void theAuditLogShowsWhoChangedWhatAndFiltersByRouteAndActor() {
        RoutePage page = routePage();
        long before = page.revision();
        page.addToSet("testers", "203.0.113.50");
        page.awaitRevisionAfter(before);
        gw.api("POST", "/api/routes/shop/switch", "{\"version\": \"gray\"}", Map.of("X-Graygate-Actor", "alice@laptop"));
        // the audit log is written off the request's thread: wait until it has both changes
        await("both changes in the audit log", Duration.ofSeconds(10),
                () -> gw.api("GET", "/api/audit", null).json().path("entries").size() >= 2);

        browser.open(gw.dashboard() + "#/audit");
        AuditPage audit = new AuditPage(browser);
        audit.awaitRows(rows -> rows.size() >= 2);
        assertThat(audit.rows()).anySatisfy(r -> {
            assertThat(r.route()).isEqualTo("demo");
            assertThat(r.change()).contains("203.0.113.50");
        });
        assertThat(audit.rows()).anySatisfy(r -> {
            assertThat(r.route()).isEqualTo("shop");
            assertThat(r.actor()).isEqualTo("admin (alice@laptop)");
        });

        audit.onlyRoute("demo");
        audit.awaitRows(rows -> !rows.isEmpty() && rows.stream().allMatch(r -> r.route().equals("demo")));

        audit.onlyRoute("");
        audit.awaitRows(rows -> rows.stream().anyMatch(r -> r.route().equals("shop")));
        audit.actorContains("alice");
        audit.awaitRows(rows -> rows.size() == 1 && rows.get(0).route().equals("shop"));
    }

    @Test
    void explainShowsTheVersionAndWhyRuleByRule() {
        open("");
        browser.open(gw.dashboard() + "#/explain");
        ExplainPage explain = new ExplainPage(browser).route("demo").fill("ip", "198.51.100.9").fill("headers", "X-Beta: on");
        assertThat(explain.explain()).isEqualTo("gray");
        assertThat(explain.reason()).contains("beta");
        List<String> rules = explain.rules();
        assertThat(rules).hasSize(2);
        assertThat(rules.get(0)).startsWith("testers").contains("passed on");
        assertThat(rules.get(1)).startsWith("beta").contains("decided: gray");

        ExplainPage bad = new ExplainPage(browser);
        browser.driver.findElement(By.id("explain-ip")).clear();
        bad.fill("ip", "not-an-ip");
        browser.driver.findElement(By.cssSelector("#explain button[type=submit]")).click();
        assertThat(bad.error()).isEqualTo("ip: not an IP address: \"not-an-ip\"");
    }

    @Test
    void thePagesFitAPhoneWidth() {
        open("");
        browser.viewport(390, 844);
        for (String view : List.of("", "#/route/demo", "#/explain", "#/audit")) {
            browser.open(gw.dashboard() + view);
            browser.waiting().until(d -> !d.findElements(By.cssSelector("#main .card")).isEmpty());
            assertThat(browser.js("return document.documentElement.scrollWidth")).as(view)
                    .isEqualTo(browser.js("return document.documentElement.clientWidth"));
        }
    }
}
