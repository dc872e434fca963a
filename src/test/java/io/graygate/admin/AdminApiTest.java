package io.graygate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.graygate.admin.RunningAdmin.Reply;
import io.graygate.routing.Route;
import io.graygate.testing.HeldRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class AdminApiTest {

    @TempDir
    Path dir;

    RunningAdmin admin;

    @BeforeEach
    void start() {
        admin = RunningAdmin.start(dir);
    }

    @AfterEach
    void stop() {
        admin.close();
    }

    private List<String> entries(String route) {
        List<String> out = new ArrayList<>();
        admin.get("/api/routes/" + route + "/whitelist").json().path("entries").forEach(e -> out.add(e.asText()));
        return out;
    }

    private String decide(String route, String ip) {
        Route r = admin.rules().snapshot().route(route);
        return r.decide(HeldRequest.fromClient(ip)).version();
    }

    @Test
    void healthReportsTheStoreAndTheNumberOfRoutes() {
        Reply r = admin.get("/health");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("status").asText()).isEqualTo("ok");
        assertThat(r.json().path("routes").asInt()).isEqualTo(2);
        JsonNode store = r.json().path("store");
        assertThat(store.path("kind").asText()).isEqualTo("file");
        assertThat(store.path("connected").asBoolean()).isTrue();
        assertThat(store.path("location").asText()).isEqualTo(dir.resolve("rules.json").toAbsolutePath().normalize().toString());
        assertThat(store.path("lastSync").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        assertThat(r.json().path("snapshot").path("revision").asLong()).isEqualTo(1);
        assertThat(r.json().path("snapshot").path("ageMillis").asLong()).isNotNegative();
    }

    @Test
    void eachChangePutsANewSnapshotRevisionInForce() {
        long before = admin.get("/health").json().path("snapshot").path("revision").asLong();
        assertThat(admin.send("POST", "/api/routes/demo/switch", null).status()).isEqualTo(200);
        assertThat(admin.send("POST", "/api/routes/demo/rollback", null).status()).isEqualTo(200);
        assertThat(admin.get("/health").json().path("snapshot").path("revision").asLong()).isEqualTo(before + 2);
    }

    @Test
    void healthSaysDegradedWhileTheStoreIsAway() {
        admin.rules().store().close();
        Reply r = admin.get("/health");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("status").asText()).isEqualTo("degraded");
        assertThat(r.json().path("store").path("connected").asBoolean()).isFalse();
        assertThat(r.json().path("store").path("detail").asText()).isEqualTo("closed");
    }

    @Test
    void aMalformedRequestIs400AndTheConnectionIsClosed() throws IOException {
        try (Socket s = new Socket("127.0.0.1", java.net.URI.create(admin.url()).getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: nine\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 400 Bad Request\r\n").contains("connection: close")
                    .contains("{\"error\":\"malformed HTTP request: ");
        }
    }

    @Test
    void routesListsEveryRouteWithUpstreamsModeWhitelistSizeAndVersion() {
        Reply r = admin.get("/api/routes");
        assertThat(r.status()).isEqualTo(200);
        JsonNode routes = r.json().path("routes");
        assertThat(routes).hasSize(2);
        JsonNode demo = routes.get(0);
        assertThat(demo.path("name").asText()).isEqualTo("demo");
        assertThat(demo.path("pathPrefix").asText()).isEqualTo("/");
        assertThat(demo.path("host").isNull()).isTrue();
        assertThat(demo.path("stable").path("upstream").asText()).isEqualTo("production");
        assertThat(demo.path("stable").path("servers").toString()).isEqualTo("[\"127.0.0.1:18001\"]");
        assertThat(demo.path("gray").path("upstream").asText()).isEqualTo("gray");
        assertThat(demo.path("gray").path("servers").toString()).isEqualTo("[\"127.0.0.1:18002\",\"[::1]:18003\"]");
        assertThat(demo.path("mode").asText()).isEqualTo("gray");
        assertThat(demo.path("previousMode").isNull()).isTrue();
        assertThat(demo.path("whitelistSize").asInt()).isEqualTo(3);
        assertThat(demo.path("version").asLong()).isEqualTo(1);
        assertThat(routes.get(1).path("name").asText()).isEqualTo("api");
        assertThat(routes.get(1).path("mode").asText()).isEqualTo("all-production");
    }

    @Test
    void oneRouteIsServedByName() {
        Reply r = admin.get("/api/routes/api");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("name").asText()).isEqualTo("api");
        assertThat(r.json().path("pathPrefix").asText()).isEqualTo("/api");
    }

    @Test
    void anUnknownRouteIs404NamingIt() {
        for (String path : List.of("/api/routes/nope", "/api/routes/nope/whitelist")) {
            Reply r = admin.get(path);
            assertThat(r.status()).as(path).isEqualTo(404);
            assertThat(r.error()).isEqualTo("route \"nope\" not found");
        }
        Reply post = admin.send("POST", "/api/routes/nope/switch", null);
        assertThat(post.status()).isEqualTo(404);
        assertThat(post.error()).isEqualTo("route \"nope\" not found");
    }

    @Test
    void whitelistIsListedInAddressOrder() {
        Reply r = admin.get("/api/routes/demo/whitelist");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("route").asText()).isEqualTo("demo");
        assertThat(r.json().path("size").asInt()).isEqualTo(3);
        assertThat(r.json().path("version").asLong()).as("the first release's name for the revision").isEqualTo(r.json().path("revision").asLong());
        assertThat(entries("demo")).containsExactly("10.1.0.0/16", "192.168.2.165", "2001:db8::/32");
        Reply set = admin.get("/api/routes/demo/sets/whitelist");
        assertThat(set.json().path("entries")).isEqualTo(r.json().path("entries"));
        assertThat(set.json().has("version")).as("the sets call, new in issue 9, has only revision").isFalse();
        assertThat(set.json().path("revision").asLong()).isEqualTo(r.json().path("revision").asLong());
    }

    @Test
    void ipv4EntriesAreListedBeforeIpv6Ones() {
        assertThat(admin.send("POST", "/api/routes/demo/whitelist", "{\"entries\": [\"::1\", \"1.2.3.4\", \"0.0.0.0/0\"]}").status()).isEqualTo(200);
        assertThat(entries("demo")).containsExactly("0.0.0.0/0", "1.2.3.4", "10.1.0.0/16", "192.168.2.165", "::1", "2001:db8::/32");
    }

    @Test
    void addedEntriesAreListedAndPutInForce() {
        assertThat(decide("demo", "172.16.5.5")).isEqualTo("production");
        Reply r = admin.send("POST", "/api/routes/demo/whitelist", "{\"entries\": [\"172.16.0.0/12\", \"8.8.8.8\", \"2001:db9::1\"]}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("name").asText()).isEqualTo("demo");
        assertThat(r.json().path("whitelistSize").asInt()).isEqualTo(6);
        assertThat(r.json().path("version").asLong()).isEqualTo(2);
        assertThat(entries("demo")).contains("172.16.0.0/12", "8.8.8.8", "2001:db9::1");
        assertThat(decide("demo", "172.16.5.5")).isEqualTo("gray");
        assertThat(decide("demo", "2001:db9::1")).isEqualTo("gray");
    }

    @Test
    void removedEntriesStopSendingClientsToGray() {
        assertThat(decide("demo", "192.168.2.165")).isEqualTo("gray");
        Reply r = admin.send("DELETE", "/api/routes/demo/whitelist", "{\"entries\": [\"192.168.2.165\", \"10.1.0.0/16\"]}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("whitelistSize").asInt()).isEqualTo(1);
        assertThat(entries("demo")).containsExactly("2001:db8::/32");
        assertThat(decide("demo", "192.168.2.165")).isEqualTo("production");
        assertThat(decide("demo", "10.1.2.3")).isEqualTo("production");
    }

    @Test
    void aBadEntryIs400NamingItsIndexAndNothingChanges() {
        Reply r = admin.send("POST", "/api/routes/demo/whitelist", "{\"entries\": [\"1.2.3.4\", \"10.0.0.0/8\", \"foo\"]}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.error()).isEqualTo("entries[2]: not an IP address or CIDR: \"foo\"");
        assertThat(entries("demo")).containsExactly("10.1.0.0/16", "192.168.2.165", "2001:db8::/32");
        assertThat(admin.rules().state("demo").revision()).isEqualTo(1);
        assertThat(decide("demo", "1.2.3.4")).isEqualTo("production");
    }

    @Test
    void malformedWhitelistBodiesAre400NamingTheProblem() {
        record Case(String body, String error) {
        }
        List<Case> cases = List.of(
                new Case("{\"entries\": [\"10.1.2.0/16\"]}", "entries[0]: \"10.1.2.0/16\" has host bits set; did you mean 10.1.0.0/16?"),
                new Case("{\"entries\": [\"10.0.0.0/33\"]}", "entries[0]: prefix length of \"10.0.0.0/33\" must be 0..32"),
                new Case("{\"entries\": [\"1.2.3.4\", 5]}", "entries[1]: expected a string, got 5"),
                new Case("{\"entries\": []}", "entries: is empty; give at least one IP address or CIDR"),
                new Case("{\"entries\": \"1.2.3.4\"}", "entries: is required, a list of IP addresses or CIDRs"),
                new Case("{}", "entries: is required, a list of IP addresses or CIDRs"),
                new Case("{\"entries\": [\"1.2.3.4\"], \"ttl\": 5}", "ttl: unknown field; expected only \"entries\""),
                new Case("[\"1.2.3.4\"]", "body: expected a JSON object such as {\"entries\": [\"10.1.2.3\", \"10.0.0.0/8\"]}"),
                new Case(null, "body: expected a JSON object such as {\"entries\": [\"10.1.2.3\", \"10.0.0.0/8\"]}"));
        for (Case c : cases) {
            for (String method : List.of("POST", "DELETE")) {
                Reply r = admin.send(method, "/api/routes/demo/whitelist", c.body());
                assertThat(r.status()).as(method + " " + c.body()).isEqualTo(400);
                assertThat(r.error()).as(method + " " + c.body()).isEqualTo(c.error());
            }
        }
        Reply notJson = admin.send("POST", "/api/routes/demo/whitelist", "{entries: oops");
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.error()).startsWith("body: not valid JSON: ");
        assertThat(admin.rules().state("demo").revision()).isEqualTo(1);
        assertThat(entries("demo")).hasSize(3);
    }

    @Test
    void aKeyGivenTwiceIs400NamingItAndNothingChanges() {
        record Case(String method, String path, String body, String key) {
        }
        for (Case c : List.of(
                new Case("PUT", "/api/routes/demo/mode", "{\"mode\": \"gray\", \"mode\": \"all-gray\"}", "mode"),
                new Case("POST", "/api/routes/demo/whitelist", "{\"entries\": [\"1.2.3.4\"], \"entries\": [\"0.0.0.0/0\"]}", "entries"),
                new Case("POST", "/api/routes/demo/switch", "{\"version\": \"gray\", \"version\": \"production\"}", "version"),
                new Case("PUT", "/api/routes/demo/policy", "{\"baseline\": \"production\", \"rules\": [{\"name\": \"a\", \"name\": \"b\","
                        + " \"when\": {\"method\": \"GET\"}, \"to\": \"gray\"}]}", "rules[0].name"))) {
            Reply r = admin.send(c.method(), c.path(), c.body());
            assertThat(r.status()).as(c.body()).isEqualTo(400);
            assertThat(r.error()).as(c.body()).isEqualTo(c.key() + ": duplicate key; a key may appear only once");
        }
        assertThat(admin.rules().state("demo").revision()).isEqualTo(1);
        assertThat(admin.rules().state("demo").policy().mode().text()).isEqualTo("gray");
    }

    @Test
    void switchSendsEveryoneToGrayAndRollbackReturnsToThePreviousMode() {
        Reply switched = admin.send("POST", "/api/routes/demo/switch", null);
        assertThat(switched.status()).isEqualTo(200);
        assertThat(switched.json().path("mode").asText()).isEqualTo("all-gray");
        assertThat(switched.json().path("previousMode").asText()).isEqualTo("gray");
        assertThat(decide("demo", "8.8.8.8")).isEqualTo("gray");

        Reply rolledBack = admin.send("POST", "/api/routes/demo/rollback", null);
        assertThat(rolledBack.status()).isEqualTo(200);
        assertThat(rolledBack.json().path("mode").asText()).isEqualTo("gray");
        assertThat(rolledBack.json().path("version").asLong()).isEqualTo(3);
        assertThat(decide("demo", "8.8.8.8")).isEqualTo("production");
        assertThat(decide("demo", "10.1.9.9")).isEqualTo("gray");
    }

    @Test
    void putModeSetsTheModeAndRejectsAnUnknownOne() {
        Reply r = admin.send("PUT", "/api/routes/api/mode", "{\"mode\": \"gray\"}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("mode").asText()).isEqualTo("gray");
        assertThat(r.json().path("previousMode").asText()).isEqualTo("all-production");
        assertThat(admin.rules().snapshot().route("api").policy().mode().text()).isEqualTo("gray");

        Reply bad = admin.send("PUT", "/api/routes/api/mode", "{\"mode\": \"blue\"}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.error()).isEqualTo("mode: unknown mode \"blue\"; expected gray, all-gray or all-production");
        Reply missing = admin.send("PUT", "/api/routes/api/mode", "{\"modes\": \"gray\"}");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.error()).isEqualTo("modes: unknown field; expected only \"mode\"");
        assertThat(admin.rules().state("api").revision()).isEqualTo(2);
    }

    @Test
    void explainNamesTheCidrEntryThatSentAnIpv4ClientToGray() {
        Reply r = admin.get("/api/explain?route=demo&ip=10.1.2.3");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("route").asText()).isEqualTo("demo");
        assertThat(r.json().path("ip").asText()).isEqualTo("10.1.2.3");
        assertThat(r.json().path("version").asText()).isEqualTo("gray");
        assertThat(r.json().path("upstream").asText()).isEqualTo("gray");
        assertThat(r.json().path("reason").asText()).startsWith("rule whitelist: ");
        assertThat(r.json().path("matchedEntry").asText()).isEqualTo("10.1.0.0/16");
    }

    @Test
    void explainNamesTheIpv6RangeAndTheSingleAddress() {
        Reply v6 = admin.get("/api/explain?route=demo&ip=2001:db8::42");
        assertThat(v6.json().path("version").asText()).isEqualTo("gray");
        assertThat(v6.json().path("matchedEntry").asText()).isEqualTo("2001:db8::/32");
        Reply single = admin.get("/api/explain?route=demo&ip=192.168.2.165");
        assertThat(single.json().path("matchedEntry").asText()).isEqualTo("192.168.2.165");
    }

    @Test
    void explainSaysNoRuleMatchedForAnUnlistedClient() {
        Reply r = admin.get("/api/explain?route=demo&ip=192.168.2.166");
        assertThat(r.json().path("version").asText()).isEqualTo("production");
        assertThat(r.json().path("upstream").asText()).isEqualTo("production");
        assertThat(r.json().path("reason").asText()).isEqualTo("no rule decided: the baseline");
        assertThat(r.json().path("matchedEntry").isNull()).isTrue();
    }

    @Test
    void explainFindsTheRouteByPathAndReportsTheModeThatDecided() {
        Reply r = admin.get("/api/explain?path=/api/users&ip=10.1.2.3");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("route").asText()).isEqualTo("api");
        assertThat(r.json().path("version").asText()).isEqualTo("production");
        assertThat(r.json().path("reason").asText()).isEqualTo("override: everyone to production");
        assertThat(r.json().path("matchedEntry").isNull()).isTrue();
        assertThat(admin.get("/api/explain?path=/index.html&ip=10.1.2.3").json().path("route").asText()).isEqualTo("demo");
    }

    @Test
    void explainRefusesMissingOrBadParameters() {
        record Case(String query, int status, String error) {
        }
        List<Case> cases = List.of(
                new Case("route=demo", 400, "ip: is required, e.g. /api/explain?route=demo&ip=10.1.2.3"),
                new Case("route=demo&ip=10.1.2", 400, "ip: not an IP address: \"10.1.2\""),
                new Case("ip=10.1.2.3", 400, "route: is required unless path is given"),
                new Case("ip=10.1.2.3&path=api", 400, "path: must start with '/', got \"api\""),
                new Case("route=nope&ip=10.1.2.3", 404, "route \"nope\" not found"));
        for (Case c : cases) {
            Reply r = admin.get("/api/explain?" + c.query());
            assertThat(r.status()).as(c.query()).isEqualTo(c.status());
            assertThat(r.error()).as(c.query()).isEqualTo(c.error());
        }
    }

    @Test
    void anUnknownPathIs404AndAWrongMethodIs405WithAllow() {
        Reply unknown = admin.get("/api/nothing");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.error()).isEqualTo("no such endpoint: /api/nothing");

        Reply wrong = admin.send("GET", "/api/routes/demo/switch", null);
        assertThat(wrong.status()).isEqualTo(405);
        assertThat(wrong.allow()).isEqualTo("POST");
        Reply put = admin.send("PUT", "/api/routes/demo/whitelist", "{\"entries\": [\"1.2.3.4\"]}");
        assertThat(put.status()).isEqualTo(405);
        assertThat(put.allow()).isEqualTo("GET, POST, DELETE");
        assertThat(admin.rules().state("demo").revision()).isEqualTo(1);
    }

    @Test
    void rulesSurviveARestartOnTheSameFile() {
        admin.send("POST", "/api/routes/demo/whitelist", "{\"entries\": [\"172.16.0.0/12\"]}");
        admin.send("DELETE", "/api/routes/demo/whitelist", "{\"entries\": [\"192.168.2.165\"]}");
        admin.send("POST", "/api/routes/api/switch", null);

        admin.restart();

        assertThat(entries("demo")).containsExactly("10.1.0.0/16", "172.16.0.0/12", "2001:db8::/32");
        JsonNode api = admin.get("/api/routes/api").json();
        assertThat(api.path("mode").asText()).isEqualTo("all-gray");
        assertThat(api.path("previousMode").asText()).isEqualTo("all-production");
        assertThat(admin.get("/api/routes/demo").json().path("version").asLong()).isEqualTo(3);
        assertThat(decide("demo", "172.20.0.1")).isEqualTo("gray");
        assertThat(admin.send("POST", "/api/routes/api/rollback", null).json().path("mode").asText()).isEqualTo("all-production");
    }

    @Test
    void anUnavailableStoreIs503AndNothingChanges() {
        admin.rules().store().close();
        Reply r = admin.send("POST", "/api/routes/demo/whitelist", "{\"entries\": [\"8.8.8.8\"]}");
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.error()).isEqualTo("rule store unavailable, nothing was changed: the rule store is closed");
        assertThat(decide("demo", "8.8.8.8")).isEqualTo("production");
        assertThat(admin.get("/api/routes/demo").json().path("version").asLong()).isEqualTo(1);
    }

    @Test
    void aHundredThousandEntryWhitelistIsAcceptedInOnePost() {
        StringBuilder body = new StringBuilder("{\"entries\": [");
        for (int i = 0; i < 100_000; i++) {
            if (i > 0) body.append(',');
            body.append("\"11.").append(i >> 16).append('.').append((i >> 8) & 255).append('.').append(i & 255).append('"');
        }
        body.append("]}");
        Reply r = admin.send("POST", "/api/routes/demo/whitelist", body.toString());
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("whitelistSize").asInt()).isEqualTo(100_003);
        assertThat(decide("demo", "11.1.134.159")).isEqualTo("gray");
        assertThat(admin.get("/api/routes/demo/whitelist").json().path("size").asInt()).isEqualTo(100_003);
    }
}
