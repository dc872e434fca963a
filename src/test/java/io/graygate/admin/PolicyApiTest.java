package io.graygate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.graygate.admin.RunningAdmin.Reply;
import io.graygate.routing.Route;
import io.graygate.testing.HeldRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The policy endpoints of the admin API: read, replace (with If-Match), ramp a split, sets, switch, promote, rollback, history, explain. */
class PolicyApiTest {


    static final String CONFIG = PolicyApiTestConfig.CONFIG;


    @TempDir
    Path dir;
    RunningAdmin admin;

    @BeforeEach
    void start() {
        admin = RunningAdmin.startWith(dir, CONFIG, Map.of());
    }

    @AfterEach
    void stop() {
        admin.close();
    }

    private String decide(String route, HeldRequest r) {
        Route compiled = admin.rules().snapshot().route(route);
        return compiled.decide(r).version();
    }

    @Test
    void thePolicyIsReadWithItsRevisionVersionsAndSets() {
        Reply r = admin.get("/api/routes/shop/policy");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("revision").asLong()).isEqualTo(1);
        assertThat(r.json().path("versions").toString()).isEqualTo("[\"production\",\"gray\",\"canary\"]");
        assertThat(r.json().path("ipSets").toString()).isEqualTo("[\"testers\"]");
        JsonNode ramp = r.json().path("policy").path("rules").get(3);
        assertThat(ramp.toString()).isEqualTo("{\"name\":\"ramp\",\"split\":{\"by\":{\"cookie\":\"uid\"},\"weights\":{\"gray\":10,\"canary\":2.5}}}");
        Reply route = admin.get("/api/routes/shop");
        assertThat(route.json().path("shares").toString()).isEqualTo("{\"production\":87.5,\"gray\":10,\"canary\":2.5}");
        assertThat(route.json().path("versions").path("canary").path("upstream").asText()).isEqualTo("v3");
    }

    @Test
    void aPolicyIsReplacedWholeAndABadOneChangesNothingNamingTheField() {
        String policy = """
                {"baseline": "production", "rules": [
                  {"name": "only-beta", "when": {"header": {"name": "X-Beta", "present": true}}, "to": "canary"}]}""";
        Reply ok = admin.send("PUT", "/api/routes/shop/policy", policy);
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.json().path("revision").asLong()).isEqualTo(2);
        assertThat(decide("shop", HeldRequest.fromClient("8.8.8.8").header("X-Beta", "1"))).isEqualTo("canary");
        assertThat(decide("shop", HeldRequest.fromClient("192.168.2.165"))).isEqualTo("production");

        String bad = """
                {"baseline": "production", "rules": [
                  {"name": "a", "when": {"method": "GET"}, "to": "gray"},
                  {"name": "b", "split": {"weights": {"canary": 60}}}]}""";
        Reply refused = admin.send("PUT", "/api/routes/shop/policy", bad);
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.error()).startsWith("rules[1].split.weights.canary: 60 exceeds the slot of 50");
        Reply dup = admin.send("PUT", "/api/routes/shop/policy", "{\"baseline\": \"production\", \"baseline\": \"gray\"}");
        assertThat(dup.status()).isEqualTo(400);
        assertThat(dup.error()).isEqualTo("baseline: duplicate key; a key may appear only once");
        assertThat(admin.get("/api/routes/shop/policy").json().path("revision").asLong()).isEqualTo(2);
        assertThat(decide("shop", HeldRequest.fromClient("8.8.8.8").header("X-Beta", "1"))).isEqualTo("canary");
    }

    @Test
    void ifMatchRefusesAPolicyMadeAgainstAnOlderRevisionWith412() {
        String policy = admin.get("/api/routes/shop/policy").json().path("policy").toString();
        assertThat(admin.sendWith("PUT", "/api/routes/shop/policy", policy, Map.of("If-Match", "\"1\"")).status()).isEqualTo(200);
        Reply stale = admin.sendWith("PUT", "/api/routes/shop/policy", policy, Map.of("If-Match", "\"1\""));
        assertThat(stale.status()).isEqualTo(412);
        assertThat(stale.error()).isEqualTo("route shop is at revision 2, not 1 (changed meanwhile); read it again and retry");
        assertThat(admin.sendWith("PUT", "/api/routes/shop/policy", policy, Map.of("If-Match", "2")).status()).isEqualTo(200);
        assertThat(admin.sendWith("PUT", "/api/routes/shop/policy", policy, Map.of("If-Match", "two")).status()).isEqualTo(400);
    }

    @Test
    void theQuickRampChangesOneSplitsWeights() {
        Reply r = admin.send("PUT", "/api/routes/shop/split/ramp", "{\"weights\": {\"gray\": 25, \"canary\": \"5%\"}}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().path("policy").path("rules").get(3).path("split").path("weights").toString()).isEqualTo("{\"gray\":25,\"canary\":5}");
        assertThat(admin.get("/api/routes/shop").json().path("shares").path("gray").asDouble()).isEqualTo(25.0);
        Reply over = admin.send("PUT", "/api/routes/shop/split/ramp", "{\"weights\": {\"gray\": 51}}");
        assertThat(over.status()).isEqualTo(400);
        assertThat(over.error()).startsWith("weights.gray: 51 exceeds the slot of 50");
        assertThat(admin.send("PUT", "/api/routes/shop/split/beta", "{\"weights\": {\"gray\": 5}}").error())
                .isEqualTo("rule: \"beta\" is a match rule, not a split");
        assertThat(admin.send("PUT", "/api/routes/shop/split/ramp", "{\"gray\": 5}").error())
                .isEqualTo("gray: unknown field; expected only \"weights\"");
    }

    @Test
    void namedSetsAreListedChangedAndCreatedAndTheWhitelistCallsAreTheSetWhitelist() {
        Reply add = admin.send("POST", "/api/routes/shop/sets/testers", "{\"entries\": [\"203.0.113.7\"]}");
        assertThat(add.status()).isEqualTo(200);
        assertThat(add.json().path("ipSets").path("testers").path("size").asInt()).isEqualTo(3);
        assertThat(decide("shop", HeldRequest.fromClient("203.0.113.7"))).isEqualTo("gray");
        assertThat(admin.get("/api/routes/shop/sets/testers").json().path("entries").toString())
                .isEqualTo("[\"10.1.0.0/16\",\"192.168.2.165\",\"203.0.113.7\"]");
        Reply bad = admin.send("POST", "/api/routes/shop/sets/testers", "{\"entries\": [\"1.1.1.1\", \"nope\"]}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.error()).isEqualTo("entries[1]: not an IP address or CIDR: \"nope\"");
        assertThat(admin.get("/api/routes/shop/sets/testers").json().path("size").asInt()).isEqualTo(3);

        assertThat(admin.send("POST", "/api/routes/shop/sets/new-set", "{\"entries\": [\"10.9.9.9\"]}").status()).isEqualTo(200);
        assertThat(admin.get("/api/routes/shop/sets").json().path("sets").toString())
                .isEqualTo("{\"testers\":{\"size\":3},\"new-set\":{\"size\":1}}");
        assertThat(admin.get("/api/routes/shop/sets/nope").status()).isEqualTo(404);
        // a set name is a policy name: refused, naming the field, and no set made
        for (String method : List.of("POST", "DELETE")) {
            Reply badName = admin.send(method, "/api/routes/shop/sets/a%0Ab", "{\"entries\": [\"10.9.9.9\"]}");
            assertThat(badName.status()).as(method).isEqualTo(400);
            assertThat(badName.error()).isEqualTo("set: \"a\\nb\" may hold only letters, digits, '.', '_' and '-' (at most 64)");
        }
        assertThat(admin.send("POST", "/api/routes/shop/sets/" + "s".repeat(65), "{\"entries\": [\"10.9.9.9\"]}").status()).isEqualTo(400);
        assertThat(admin.get("/api/routes/shop/sets").json().path("sets").size()).isEqualTo(2);

        assertThat(admin.send("POST", "/api/routes/demo/whitelist", "{\"entries\": [\"10.2.2.2\"]}").status()).isEqualTo(200);
        assertThat(admin.get("/api/routes/demo/sets/whitelist").json().path("entries").toString()).isEqualTo("[\"10.2.2.2\"]");
    }

    @Test
    void switchPromoteAndRollbackToAnyKeptRevision() {
        Reply noVersion = admin.send("POST", "/api/routes/shop/switch", null);
        assertThat(noVersion.status()).isEqualTo(400);
        assertThat(noVersion.error()).isEqualTo("version: is required: the route has several versions besides the baseline production: [gray, canary]");
        Reply switched = admin.send("POST", "/api/routes/shop/switch", "{\"version\": \"canary\"}");
        assertThat(switched.json().path("override").asText()).isEqualTo("canary");
        assertThat(decide("shop", HeldRequest.fromClient("192.168.2.165"))).isEqualTo("canary");

        Reply promoted = admin.send("POST", "/api/routes/shop/promote", "{\"version\": \"gray\"}");
        assertThat(promoted.status()).isEqualTo(200);
        assertThat(promoted.json().path("baseline").asText()).isEqualTo("gray");
        assertThat(promoted.json().path("override").isNull()).isTrue();
        List<String> rules = new ArrayList<>();
        promoted.json().path("policy").path("rules").forEach(x -> rules.add(x.path("name").asText()));
        assertThat(rules).containsExactly("ab", "ramp");
        assertThat(decide("shop", HeldRequest.fromClient("8.8.8.8"))).isIn("gray", "canary");

        Reply back = admin.send("POST", "/api/routes/shop/rollback", "{\"to\": 2}");
        assertThat(back.json().path("override").asText()).isEqualTo("canary");
        assertThat(back.json().path("baseline").asText()).isEqualTo("production");
        assertThat(admin.send("POST", "/api/routes/shop/rollback", "{\"to\": 99}").error()).isEqualTo("to: revision 99 is not kept (kept: 1 to 4)");
        Reply plain = admin.send("POST", "/api/routes/shop/rollback", null);
        assertThat(plain.json().path("baseline").asText()).as("back before the rollback to 2: the promotion").isEqualTo("production");

        JsonNode history = admin.get("/api/routes/shop/history").json().path("history");
        assertThat(history.get(0).path("revision").asLong()).isEqualTo(5);
        assertThat(history.get(1).path("change").asText()).isEqualTo("rollback to revision 2");
        assertThat(history.get(2).path("change").asText()).isEqualTo("promote gray to baseline (was production)");
        assertThat(history.get(3).path("change").asText()).isEqualTo("switch: everyone to canary");
        assertThat(history.get(3).path("actor").asText()).isEqualTo("admin");
        assertThat(history.get(3).path("at").asText()).matches("\\d{4}-.*Z");
        assertThat(admin.get("/api/routes/shop/history?limit=2").json().path("history").size()).isEqualTo(2);
    }

    @Test
    void explainSaysRuleByRuleWhyIncludingTheBucketOfASplit() {
        Reply byHeader = admin.get("/api/explain?route=shop&ip=8.8.8.8&header=X-Beta:on");
        assertThat(byHeader.json().path("version").asText()).isEqualTo("gray");
        assertThat(byHeader.json().path("rule").asText()).isEqualTo("beta");
        JsonNode rules = byHeader.json().path("rules");
        assertThat(rules.size()).isEqualTo(2);
        assertThat(rules.get(0).path("decided").asBoolean()).isFalse();
        assertThat(rules.get(0).path("observed").asText()).isEqualTo("client IP 8.8.8.8 is in no entry");
        assertThat(rules.get(1).path("condition").asText()).isEqualTo("header X-Beta equals \"on\"");

        Reply byCookie = admin.get("/api/explain?route=shop&ip=8.8.8.8&cookie=ab=b&method=HEAD");
        assertThat(byCookie.json().path("version").asText()).isEqualTo("canary");
        assertThat(byCookie.json().path("rules").get(2).path("observed").asText()).isEqualTo("all hold");

        Reply bySplit = admin.get("/api/explain?route=shop&ip=8.8.8.8&cookie=uid=user-1&method=POST");
        JsonNode split = bySplit.json().path("rules").get(3);
        assertThat(split.path("kind").asText()).isEqualTo("split");
        assertThat(split.path("bucket").asInt()).isBetween(0, 9999);
        assertThat(split.path("condition").asText()).isEqualTo("split by cookie uid in cohort shop: gray buckets 0-999, canary buckets 5000-5249, the rest production");
        assertThat(split.path("observed").asText()).isEqualTo("key: cookie uid is \"user-1\"");
        assertThat(bySplit.json().path("version").asText()).isEqualTo(split.path("version").asText());

        Reply byQuery = admin.get("/api/explain?route=shop&ip=192.168.2.165&query=x=1");
        assertThat(byQuery.json().path("matchedEntry").asText()).isEqualTo("192.168.2.165");
        assertThat(admin.get("/api/explain?route=shop&ip=8.8.8.8&header=nocolon").error()).isEqualTo("header: expected NAME:VALUE, got \"nocolon\"");
    }

    @Test
    void explainTakesRepeatedHeadersCookiesAndQueryParametersAndExplainsEveryRuleKind() {
        // Repeated cookie= parameters are one Cookie header: the ab rule sees ab=b beside uid.
        Reply cookies = admin.get("/api/explain?route=shop&ip=8.8.8.8&cookie=uid=user-1&cookie=ab=b&method=GET");
        assertThat(cookies.json().path("rule").asText()).isEqualTo("ab");
        assertThat(cookies.json().path("rules").get(2).path("condition").asText())
                .isEqualTo("(cookie ab equals \"b\" and method in GET|HEAD)");

        String policy = """
                {"baseline": "production", "rules": [
                  {"name": "q", "when": {"query": {"name": "beta", "in": ["1", "yes"]}}, "to": "canary"},
                  {"name": "p", "when": {"any": [{"path": {"prefix": "/shop/new"}}, {"path": {"matches": "/shop/v[0-9]+/.*"}}]}, "to": "gray"},
                  {"name": "n", "when": {"all": [{"header": {"name": "X-Team", "present": true}},
                                                 {"not": {"header": {"name": "X-Team", "equals": "ops"}}}]}, "to": "canary"},
                  {"name": "mobile", "when": {"header": {"name": "X-Client", "equals": "mobile"}},
                   "split": {"by": {"header": "X-User"}, "weights": {"gray": 50}}},
                  {"name": "byq", "split": {"by": {"query": "uid"}, "weights": {"gray": 20, "canary": 30}}}]}""";
        assertThat(admin.send("PUT", "/api/routes/shop/policy", policy).status()).isEqualTo(200);

        // query: every repeated query= parameter is part of the query string; the second one matches.
        Reply query = admin.get("/api/explain?route=shop&ip=8.8.8.8&query=other=2&query=beta=yes");
        assertThat(query.json().path("rule").asText()).isEqualTo("q");
        assertThat(query.json().path("version").asText()).isEqualTo("canary");
        JsonNode q = query.json().path("rules").get(0);
        assertThat(q.path("condition").asText()).isEqualTo("query parameter beta in [\"1\", \"yes\"]");
        assertThat(q.path("observed").asText()).isEqualTo("query parameter beta is \"yes\"");
        assertThat(admin.get("/api/explain?route=shop&ip=8.8.8.8&query=beta=no&query=uid=u").json().path("rules").get(0).path("observed").asText())
                .isEqualTo("query parameter beta is \"no\"");

        // any of two path conditions
        Reply path = admin.get("/api/explain?route=shop&ip=8.8.8.8&path=/shop/v2/items");
        assertThat(path.json().path("rule").asText()).isEqualTo("p");
        JsonNode p = path.json().path("rules").get(1);
        assertThat(p.path("condition").asText()).isEqualTo("(path starts with \"/shop/new\" or path matches //shop/v[0-9]+/.*/)");
        assertThat(p.path("observed").asText()).isEqualTo("holds: path is \"/shop/v2/items\"");
        assertThat(admin.get("/api/explain?route=shop&ip=8.8.8.8&path=/shop/old").json().path("rules").get(1).path("observed").asText())
                .isEqualTo("none holds");

        // all + not: X-Team present and not ops
        Reply ops = admin.get("/api/explain?route=shop&ip=8.8.8.8&header=X-Team:ops");
        JsonNode n = ops.json().path("rules").get(2);
        assertThat(n.path("condition").asText()).isEqualTo("(header X-Team is present and not (header X-Team equals \"ops\"))");
        assertThat(n.path("decided").asBoolean()).isFalse();
        assertThat(n.path("observed").asText()).isEqualTo("not all hold: header X-Team is \"ops\"");
        assertThat(admin.get("/api/explain?route=shop&ip=8.8.8.8&header=x-team:dev").json().path("rule").asText())
                .as("header names are case-insensitive").isEqualTo("n");

        // A split whose when does not hold decides nothing and has no bucket; the next split decides.
        Reply desktop = admin.get("/api/explain?route=shop&ip=8.8.8.8&header=X-Client:desktop&query=uid=u-7");
        JsonNode skipped = desktop.json().path("rules").get(3);
        assertThat(skipped.path("kind").asText()).isEqualTo("split");
        assertThat(skipped.path("decided").asBoolean()).isFalse();
        assertThat(skipped.path("condition").asText()).isEqualTo("header X-Client equals \"mobile\"");
        assertThat(skipped.path("observed").asText()).isEqualTo("header X-Client is \"desktop\"");
        assertThat(skipped.has("bucket")).isFalse();
        JsonNode byQuery = desktop.json().path("rules").get(4);
        assertThat(byQuery.path("decided").asBoolean()).isTrue();
        assertThat(byQuery.path("condition").asText())
                .isEqualTo("split by query parameter uid in cohort shop: gray buckets 0-1999, canary buckets 5000-7999, the rest production");
        assertThat(byQuery.path("observed").asText()).isEqualTo("key: query parameter uid is \"u-7\"");
        assertThat(byQuery.path("version").asText()).isEqualTo(versionOf(byQuery.path("bucket").asInt(), 2000, 5000, 8000));
        assertThat(desktop.json().path("version").asText()).isEqualTo(byQuery.path("version").asText());

        // A split by header, the header given among other repeated header= parameters: the key is the header, not the IP.
        JsonNode alice = splitOutcome("8.8.8.8", "&header=X-Client:mobile&header=X-Other:1&header=X-User:alice");
        assertThat(alice.path("observed").asText()).isEqualTo("key: header X-User is \"alice\"");
        assertThat(alice.path("condition").asText()).isEqualTo("split by header X-User in cohort shop: gray buckets 0-4999, the rest production");
        assertThat(splitOutcome("9.9.9.9", "&header=X-User:alice&header=X-Client:mobile").path("bucket").asInt())
                .as("another client with the same key").isEqualTo(alice.path("bucket").asInt());
        assertThat(alice.path("version").asText()).isEqualTo(versionOf(alice.path("bucket").asInt(), 5000, 5000, 5000));

        // Without the key's header the client IP is the key: the same IP keeps its bucket, other IPs spread.
        JsonNode noKey = splitOutcome("8.8.8.8", "&header=X-Client:mobile");
        assertThat(noKey.path("observed").asText()).isEqualTo("header X-User is absent, so the key is the client IP 8.8.8.8");
        assertThat(splitOutcome("8.8.8.8", "&header=X-Client:mobile").path("bucket").asInt()).isEqualTo(noKey.path("bucket").asInt());
        java.util.Set<Integer> buckets = new java.util.HashSet<>();
        for (int i = 1; i <= 20; i++) buckets.add(splitOutcome("10.0.0." + i, "&header=X-Client:mobile").path("bucket").asInt());
        assertThat(buckets).as("twenty client IPs, twenty keys").hasSizeGreaterThan(15);
    }

    /** The "mobile" split's outcome for a request from {@code ip} with these extra explain parameters. */
    private JsonNode splitOutcome(String ip, String params) {
        Reply r = admin.get("/api/explain?route=shop&ip=" + ip + params);
        assertThat(r.status()).isEqualTo(200);
        JsonNode split = r.json().path("rules").get(3);
        assertThat(split.path("rule").asText()).isEqualTo("mobile");
        assertThat(split.path("decided").asBoolean()).isTrue();
        assertThat(r.json().path("version").asText()).isEqualTo(split.path("version").asText());
        return split;
    }

    /** The version of a bucket under this test's slots: gray from 0 to grayEnd, canary from canaryStart to canaryEnd. */
    private static String versionOf(int bucket, int grayEnd, int canaryStart, int canaryEnd) {
        if (bucket < grayEnd) return "gray";
        if (bucket >= canaryStart && bucket < canaryEnd) return "canary";
        return "production";
    }

    @Test
    void policyChangesSurviveARestart() throws Exception {
        admin.send("PUT", "/api/routes/shop/split/ramp", "{\"weights\": {\"gray\": 40}}");
        admin.restart();
        assertThat(admin.get("/api/routes/shop").json().path("shares").path("gray").asDouble()).isEqualTo(40.0);
        assertThat(admin.get("/api/routes/shop/history").json().path("history").size()).isEqualTo(2);
        assertThat(Files.readString(dir.resolve("rules.json"))).startsWith("{\"format\":2,");
    }
}
