package io.graygate.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.graygate.Gateway;
import io.graygate.config.ConfigLoader;
import io.graygate.testing.Polling;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every change path of the file store ends in the audit log beside the rules file: each admin endpoint that changes
 * rules, under the named token's actor with the caller's X-Graygate-Actor beside it, a reload, and a rollback; the
 * entries are read back through GET /api/audit and survive a restart.
 */
class AuditTrailTest {

    static final String ADMIN_TOKEN = "admin-secret-1";
    static final String DEPLOY_TOKEN = "deploy-secret-2";

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final ObjectMapper json = new ObjectMapper();
    private Gateway gateway;

    static String config(Path rules, boolean withApi) {
        return """
                listen: 127.0.0.1:0
                admin:
                  listen: 127.0.0.1:0
                  token: ${ADMIN_TOKEN}
                  tokens:
                    - {name: deploy-bot, token: "${DEPLOY_TOKEN}"}
                store: file:%s
                upstreams:
                  v1: {servers: ["127.0.0.1:18001"]}
                  v2: {servers: ["127.0.0.1:18002"]}
                  v3: {servers: ["127.0.0.1:18003"]}
                routes:
                  - name: shop
                    pathPrefix: /shop
                    versions: {production: v1, gray: v2, canary: v3}
                    baseline: production
                    ipSets: {testers: ["192.168.2.165"]}
                    rules:
                      - {name: testers, when: {clientIp: {inSet: testers}}, to: gray}
                      - {name: ramp, split: {by: {cookie: uid}, weights: {gray: 5}}}
                  - {name: demo, pathPrefix: /, stable: v1, gray: v2, whitelist: ["10.0.0.9"]}
                %s
                proxy: {accessLog: false}
                """.formatted(rules, withApi ? "  - {name: api, pathPrefix: /api, stable: v1, gray: v2}" : "");
    }

    private Gateway start(Path file) {
        Map<String, String> env = Map.of("ADMIN_TOKEN", ADMIN_TOKEN, "DEPLOY_TOKEN", DEPLOY_TOKEN);
        return Gateway.start(ConfigLoader.load(file, env), Set.of(), () -> ConfigLoader.load(file, env));
    }

    @AfterEach
    void stop() {
        if (gateway != null) gateway.close();
    }

    private HttpResponse<String> call(String method, String path, String body, String token, String actor) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.adminPort() + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) b.header("Authorization", "Bearer " + token);
        if (actor != null) b.header("X-Graygate-Actor", actor);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode audit(String query) throws Exception {
        HttpResponse<String> r = call("GET", "/api/audit" + query, null, ADMIN_TOKEN, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json.readTree(r.body()).path("entries");
    }

    /** Waits for the audit thread to have written {@code n} entries, then returns them oldest first. */
    private List<JsonNode> awaitEntries(int n) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        Polling.await(n + " audit entries", Duration.ofSeconds(10), () -> {
            try {
                JsonNode e = audit("?limit=1000");
                out.clear();
                for (int i = e.size() - 1; i >= 0; i--) out.add(e.get(i));
                return e.size() >= n;
            } catch (Exception ex) {
                throw new IllegalStateException(ex);
            }
        });
        return out;
    }

    @Test
    void everyChangingEndpointIsRecordedWithTheTokensNameTheCallersWordAndTheRevisions() throws Exception {
        Path file = dir.resolve("graygate.yaml");
        Files.writeString(file, config(dir.resolve("rules.json"), false));
        gateway = start(file);
        String bot = "deploy-bot";
        String[][] calls = {
                {"PUT", "/api/routes/shop/split/ramp", "{\"weights\": {\"gray\": 25}}"},
                {"POST", "/api/routes/shop/sets/testers", "{\"entries\": [\"203.0.113.7\"]}"},
                {"DELETE", "/api/routes/shop/sets/testers", "{\"entries\": [\"203.0.113.7\"]}"},
                {"POST", "/api/routes/demo/whitelist", "{\"entries\": [\"10.0.0.1\"]}"},
                {"DELETE", "/api/routes/demo/whitelist", "{\"entries\": [\"10.0.0.1\"]}"},
                {"POST", "/api/routes/shop/switch", "{\"version\": \"canary\"}"},
                {"POST", "/api/routes/shop/rollback", null},
                {"PUT", "/api/routes/demo/mode", "{\"mode\": \"all-gray\"}"},
                {"POST", "/api/routes/shop/promote", "{\"version\": \"gray\"}"},
                {"PUT", "/api/routes/shop/policy", "{\"baseline\": \"gray\", \"rules\": []}"},
        };
        for (String[] c : calls) {
            HttpResponse<String> r = call(c[0], c[1], c[2], DEPLOY_TOKEN, "alice@host");
            assertThat(r.statusCode()).as(c[0] + " " + c[1] + ": " + r.body()).isEqualTo(200);
        }
        assertThat(call("POST", "/api/routes/demo/switch", null, ADMIN_TOKEN, null).statusCode()).isEqualTo(200);
        // refused changes are not recorded
        assertThat(call("PUT", "/api/routes/shop/split/ramp", "{\"weights\": {\"gray\": 101}}", DEPLOY_TOKEN, null).statusCode()).isEqualTo(400);
        assertThat(call("POST", "/api/routes/demo/switch", null, "wrong", null).statusCode()).isEqualTo(401);

        List<JsonNode> entries = awaitEntries(calls.length + 1);

        assertThat(entries).hasSize(calls.length + 1);
        assertThat(entries).extracting(e -> e.path("change").asText()).containsExactly(
                "split ramp: gray 5% -> 25%",
                "testers add 203.0.113.7 (1 entry)",
                "testers remove 203.0.113.7 (1 entry)",
                "whitelist add 10.0.0.1 (1 entry)",
                "whitelist remove 10.0.0.1 (1 entry)",
                "switch: everyone to canary",
                "rollback to revision 4",
                "mode all-gray",
                "promote gray to baseline (was production)",
                "policy set: baseline gray, rules []",
                "switch: everyone to gray");
        assertThat(entries.subList(0, calls.length)).allSatisfy(e -> assertThat(e.path("actor").asText()).isEqualTo(bot + " (alice@host)"));
        assertThat(entries.get(calls.length).path("actor").asText()).isEqualTo("admin");
        assertThat(entries).allSatisfy(e -> assertThat(e.path("node").asText()).isEqualTo(gateway.node().id()));
        // shop went 1 -> 2 (split) ... -> 8 (policy); each entry says the revision before and after
        assertThat(entries).filteredOn(e -> e.path("route").asText().equals("shop"))
                .extracting(e -> e.path("revisionBefore").asLong() + "->" + e.path("revisionAfter").asLong())
                .containsExactly("1->2", "2->3", "3->4", "4->5", "5->6", "6->7", "7->8");
        assertThat(entries).filteredOn(e -> e.path("route").asText().equals("demo"))
                .extracting(e -> e.path("revisionBefore").asLong() + "->" + e.path("revisionAfter").asLong())
                .containsExactly("1->2", "2->3", "3->4", "4->5");

        // newest first, filtered by route, limited
        JsonNode demo = audit("?route=demo&limit=2");
        assertThat(demo).hasSize(2);
        assertThat(demo.get(0).path("change").asText()).isEqualTo("switch: everyone to gray");
        assertThat(demo.get(1).path("change").asText()).isEqualTo("mode all-gray");
        assertThat(audit("?since=1h")).hasSize(calls.length + 1);
        assertThat(audit("?since=2000-01-01T00:00:00Z&route=shop")).hasSize(7);
        assertThat(audit("?since=" + java.time.Instant.now().plusSeconds(3600))).isEmpty();

        // on disk beside the rules file, one JSON object a line
        List<String> lines = Files.readAllLines(dir.resolve("rules.audit.jsonl"));
        assertThat(lines).hasSize(calls.length + 1);
        assertThat(json.readTree(lines.get(0)).path("change").asText()).isEqualTo("split ramp: gray 5% -> 25%");

        // and still there after a restart
        gateway.close();
        gateway = start(file);
        assertThat(audit("?limit=1000")).hasSize(calls.length + 1);
        assertThat(audit("?limit=1").get(0).path("change").asText()).isEqualTo("switch: everyone to gray");
    }

    @Test
    void badQueryParametersAre400NamingTheParameter() throws Exception {
        Path file = dir.resolve("graygate.yaml");
        Files.writeString(file, config(dir.resolve("rules.json"), false));
        gateway = start(file);
        for (String[] q : new String[][]{{"limit=0", "limit: "}, {"limit=10001", "limit: "}, {"limit=many", "limit: "},
                {"since=yesterday", "since: "}, {"since=1y", "since: "}}) {
            HttpResponse<String> r = call("GET", "/api/audit?" + q[0], null, ADMIN_TOKEN, null);
            assertThat(r.statusCode()).as(q[0]).isEqualTo(400);
            assertThat(json.readTree(r.body()).path("error").asText()).as(q[0]).startsWith(q[1]);
        }
        assertThat(call("GET", "/api/audit", null, null, null).statusCode()).isEqualTo(401);
        assertThat(call("GET", "/api/audit?limit=10000", null, DEPLOY_TOKEN, null).statusCode()).isEqualTo(200);
    }

    @Test
    void aReseedAtStartIsRecordedAsTheReseeds() throws Exception {
        Path file = dir.resolve("graygate.yaml");
        Files.writeString(file, config(dir.resolve("rules.json"), false));
        gateway = start(file);
        assertThat(call("POST", "/api/routes/demo/whitelist", "{\"entries\": [\"10.0.0.1\"]}", DEPLOY_TOKEN, null).statusCode()).isEqualTo(200);
        awaitEntries(1);
        gateway.close();
        Map<String, String> env = Map.of("ADMIN_TOKEN", ADMIN_TOKEN, "DEPLOY_TOKEN", DEPLOY_TOKEN);
        gateway = Gateway.start(ConfigLoader.load(file, env), Set.of("demo"), () -> ConfigLoader.load(file, env));

        JsonNode e = awaitEntries(2).get(1);
        assertThat(e.path("actor").asText()).isEqualTo("reseed");
        assertThat(e.path("change").asText()).isEqualTo("reseeded from the configuration: baseline production, rules [whitelist]");
        assertThat(e.path("revisionBefore").asLong() + "->" + e.path("revisionAfter").asLong()).isEqualTo("2->3");
    }

    @Test
    void aReloadThatAddsARouteIsRecordedAsTheReloads() throws Exception {
        Path file = dir.resolve("graygate.yaml");
        Files.writeString(file, config(dir.resolve("rules.json"), false));
        gateway = start(file);
        Files.writeString(file, config(dir.resolve("rules.json"), true));

        HttpResponse<String> r = call("POST", "/api/reload", null, DEPLOY_TOKEN, "ops@box");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);

        JsonNode e = awaitEntries(1).get(0);
        assertThat(e.path("actor").asText()).isEqualTo("reload");
        assertThat(e.path("route").asText()).isEqualTo("api");
        assertThat(e.path("change").asText()).startsWith("route added by a reload, seeded from the configuration");
        assertThat(e.path("revisionBefore").asLong()).isZero();
        assertThat(e.path("revisionAfter").asLong()).isEqualTo(1);
    }
}
