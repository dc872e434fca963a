package io.graygate.stats;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.graygate.Gateway;
import io.graygate.config.ConfigLoader;
import io.graygate.testing.Curl;
import io.graygate.testing.Polling;
import io.graygate.testing.PrometheusText;
import io.graygate.testing.TestCertificates;
import io.graygate.testing.TestUpstream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * After a mixed run (answers of every class from two versions, the upstream's own 502s and 503s, timeouts the gateway
 * answers 504 for, and a version whose server refuses connections), {@code /metrics} and {@code /api/stats} count
 * exactly the requests made, per version and outcome, HTTP/2 ones as HTTP/1.1 ones, and {@code /metrics} parses strictly.
 */
class MetricsTest {

    private static final String TOKEN = "metrics-test-token";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    private TestUpstream production;
    private TestUpstream gray;
    private Gateway gateway;

    @BeforeEach
    void start() throws IOException {
        production = TestUpstream.start("production");
        gray = TestUpstream.start("gray");
        gateway = Gateway.start(ConfigLoader.parse(config(false), Map.of()));
    }

    @AfterEach
    void stop() {
        if (gateway != null) gateway.close();
        production.close();
        gray.close();
    }

    private String config(boolean metricsWithoutToken) throws IOException {
        return """
                listen: 127.0.0.1:0
                admin: {listen: 127.0.0.1:0, token: %s, metricsWithoutToken: %s}
                store: file:%s
                proxy: {responseTimeout: 300ms, accessLog: false}
                upstreams:
                  production: {servers: ["%s"]}
                  gray: {servers: ["%s"]}
                  canary: {servers: ["127.0.0.1:%d"]}
                routes:
                  - name: shop
                    pathPrefix: /
                    versions: {production: production, gray: gray, canary: canary}
                    baseline: production
                    rules:
                      - {name: grays, when: {header: {name: X-To, equals: gray}}, to: gray}
                      - {name: canaries, when: {header: {name: X-To, equals: canary}}, to: canary}
                """.formatted(TOKEN, metricsWithoutToken, dir.resolve("rules.json"), production.hostPort(), gray.hostPort(), closedPort());
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private int get(String path, String to) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path)).timeout(Duration.ofSeconds(10));
        if (to != null) b.header("X-To", to);
        return http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private HttpResponse<String> admin(String path, boolean withToken) throws Exception {
        return admin(gateway, path, withToken);
    }

    private HttpResponse<String> admin(Gateway g, String path, boolean withToken) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.adminPort() + path)).timeout(Duration.ofSeconds(10));
        if (withToken) b.header("Authorization", "Bearer " + TOKEN);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** 12 to production (5 ok, 3 not found, 2 of its own 503s, 2 timeouts), 6 to gray (4 ok, 2 of its own 502s), 3 to canary. */
    private void mixedRun() throws Exception {
        for (int i = 0; i < 5; i++) assertThat(get("/ok", null)).isEqualTo(200);
        for (int i = 0; i < 3; i++) assertThat(get("/missing?status=404", null)).isEqualTo(404);
        for (int i = 0; i < 2; i++) assertThat(get("/busy?status=503", null)).isEqualTo(503);
        for (int i = 0; i < 2; i++) assertThat(get("/slow?delay=3000", null)).isEqualTo(504);
        for (int i = 0; i < 4; i++) assertThat(get("/ok", "gray")).isEqualTo(200);
        for (int i = 0; i < 2; i++) assertThat(get("/bad?status=502", "gray")).isEqualTo(502);
        for (int i = 0; i < 3; i++) assertThat(get("/ok", "canary")).isEqualTo(502);
    }

    private PrometheusText scrape() throws Exception {
        return scrape(gateway);
    }

    private PrometheusText scrape(Gateway g) throws Exception {
        HttpResponse<String> r = admin(g, "/metrics", true);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain; version=0.0.4"));
        return PrometheusText.parse(r.body());
    }

    private static String requests(String version, String code) {
        return "graygate_http_requests_total{code=\"" + code + "\",route=\"shop\",version=\"" + version + "\"}"; // the client sorts labels
    }

    @Test
    void countersAndHistogramsEqualTheRequestsMadePerVersionAndOutcome() throws Exception {
        mixedRun();
        Map<String, Double> expected = Map.of(
                requests("production", "2xx"), 5.0, requests("production", "4xx"), 3.0, requests("production", "5xx"), 2.0,
                requests("production", "upstream_error"), 2.0, requests("gray", "2xx"), 4.0, requests("gray", "5xx"), 2.0,
                requests("canary", "upstream_error"), 3.0);
        Polling.await("the counters to reach the requests made", Duration.ofSeconds(10), () -> {
            try {
                PrometheusText m = scrape();
                return expected.entrySet().stream().allMatch(e -> e.getValue().equals(m.value(e.getKey())));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        PrometheusText m = scrape();
        assertThat(m.type("graygate_http_requests_total")).isEqualTo("counter");
        assertThat(m.samples().entrySet().stream().filter(e -> e.getKey().startsWith("graygate_http_requests_total{") && e.getValue() > 0)
                .map(Map.Entry::getKey)).containsExactlyInAnyOrderElementsOf(expected.keySet());
        assertThat(m.valueOrZero(requests("canary", "2xx"))).isZero();

        assertThat(m.type("graygate_http_request_duration_seconds")).isEqualTo("histogram");
        assertThat(histogramCount(m, "graygate_http_request_duration_seconds", "production")).isEqualTo(12);
        assertThat(histogramCount(m, "graygate_http_request_duration_seconds", "gray")).isEqualTo(6);
        assertThat(histogramCount(m, "graygate_http_request_duration_seconds", "canary")).isEqualTo(3);
        // The two timeouts took the response timeout (300 ms) at least: above the 0.25 s bound, within the 0.5 s one or later.
        assertThat(m.value(bucket("graygate_http_request_duration_seconds", "production", "0.25"))).isEqualTo(10);
        // The upstream's time counts only for the answers it gave: not the timeouts, nor the refused connections.
        assertThat(histogramCount(m, "graygate_upstream_response_duration_seconds", "production")).isEqualTo(10);
        assertThat(histogramCount(m, "graygate_upstream_response_duration_seconds", "gray")).isEqualTo(6);
        assertThat(histogramCount(m, "graygate_upstream_response_duration_seconds", "canary")).isZero();
        assertThat(m.value("graygate_http_request_duration_seconds_sum{route=\"shop\",version=\"production\"}")).isGreaterThanOrEqualTo(0.6);

        assertThat(m.value("graygate_decisions_total{route=\"shop\",rule=\"(baseline)\",version=\"production\"}")).isEqualTo(12);
        assertThat(m.value("graygate_decisions_total{route=\"shop\",rule=\"grays\",version=\"gray\"}")).isEqualTo(6);
        assertThat(m.value("graygate_decisions_total{route=\"shop\",rule=\"canaries\",version=\"canary\"}")).isEqualTo(3);
        assertThat(m.value("graygate_policy_revision{route=\"shop\"}")).isEqualTo(1);
        // No split: what no match rule takes goes to the baseline.
        assertThat(m.value("graygate_route_weight_ratio{route=\"shop\",version=\"production\"}")).isEqualTo(1);
        assertThat(m.value("graygate_route_weight_ratio{route=\"shop\",version=\"gray\"}")).isZero();
        assertThat(m.value("graygate_upstream_connect_failures_total{server=\"" + canaryServer() + "\",upstream=\"canary\"}")).isEqualTo(3);
        assertThat(m.value("graygate_upstream_server_up{server=\"" + canaryServer() + "\",upstream=\"canary\"}")).isZero();
        assertThat(m.value("graygate_upstream_server_up{server=\"" + gray.hostPort() + "\",upstream=\"gray\"}")).isEqualTo(1);
        assertThat(m.value("graygate_store_up")).isEqualTo(1);
        assertThat(m.value("graygate_store_sync_age_seconds")).isNotNull();
        assertThat(m.value("graygate_active_connections")).isNotNull();
        assertThat(m.samples().keySet()).anyMatch(k -> k.startsWith("jvm_memory_used_bytes{"));
        // No client address in any label.
        assertThat(m.samples().keySet()).noneMatch(k -> k.contains("127.0.0.1") && !k.startsWith("graygate_upstream_"));
    }

    @Test
    void http2RequestsOnATlsListenerCountAsHttp1OnesDo() throws Exception {
        TestCertificates.Pair cert = TestCertificates.issue(dir, "m", "m.test");
        String yaml = config(false).replace("listen: 127.0.0.1:0\n",
                "listeners:\n  - address: 127.0.0.1:0\n  - address: 127.0.0.1:0\n    tls: {certificates: [" + cert.yaml() + "]}\n");
        try (Gateway g = Gateway.start(ConfigLoader.parse(yaml, Map.of()))) {
            URI https = URI.create(g.proxyUrls().get(1));
            String base = "https://m.test:" + https.getPort();
            for (String[] call : new String[][] {{"--http2", "/ok", "production"}, {"--http2", "/ok", "gray"}, {"--http2", "/missing?status=404", "production"},
                    {"--http1.1", "/ok", "gray"}, {"--http2", "/ok", "canary"}}) {
                Curl.Result r = Curl.run(call[0], "--cacert", cert.cert().toString(), "--resolve", "m.test:" + https.getPort() + ":127.0.0.1",
                        "-H", "X-To: " + call[2], "-o", "/dev/null", "-w", "%{http_version} %{http_code}", base + call[1]);
                assertThat(r.ok()).as(r.err()).isTrue();
                assertThat(r.out()).startsWith(call[0].equals("--http2") ? "2 " : "1.1 ");
            }
            Map<String, Double> expected = Map.of(requests("production", "2xx"), 1.0, requests("production", "4xx"), 1.0,
                    requests("gray", "2xx"), 2.0, requests("canary", "upstream_error"), 1.0);
            Polling.await("the counters to reach the requests made", Duration.ofSeconds(10), () -> {
                try {
                    PrometheusText m = scrape(g);
                    return expected.entrySet().stream().allMatch(e -> e.getValue().equals(m.value(e.getKey())));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            PrometheusText m = scrape(g);
            assertThat(m.samples().entrySet().stream().filter(e -> e.getKey().startsWith("graygate_http_requests_total{") && e.getValue() > 0)
                    .map(Map.Entry::getKey)).containsExactlyInAnyOrderElementsOf(expected.keySet());
            assertThat(m.value("graygate_decisions_total{route=\"shop\",rule=\"grays\",version=\"gray\"}")).isEqualTo(2);
            assertThat(m.value("graygate_decisions_total{route=\"shop\",rule=\"(baseline)\",version=\"production\"}")).isEqualTo(2);
            assertThat(m.value("graygate_http_request_duration_seconds_count{route=\"shop\",version=\"gray\"}")).isEqualTo(2);
            assertThat(m.value("graygate_upstream_response_duration_seconds_count{route=\"shop\",version=\"production\"}")).isEqualTo(2);
            Polling.await("the one-minute window to hold every request", Duration.ofSeconds(10), () -> {
                try {
                    JsonNode s = JSON.readTree(admin(g, "/api/stats?route=shop&window=1m&scope=node", true).body());
                    return version(s, "production").path("requests").asLong() == 2 && version(s, "gray").path("requests").asLong() == 2
                            && version(s, "canary").path("requests").asLong() == 1;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
        }
    }

    private String canaryServer() {
        return gateway.config().upstreams().get("canary").servers().get(0).address().hostPort().toString();
    }

    private static String bucket(String family, String version, String le) {
        return family + "_bucket{route=\"shop\",version=\"" + version + "\",le=\"" + le + "\"}";
    }

    /** The histogram's count, checked against its +Inf bucket and its buckets' order. */
    private static double histogramCount(PrometheusText m, String family, String version) {
        double count = m.value(family + "_count{route=\"shop\",version=\"" + version + "\"}");
        assertThat(m.value(bucket(family, version, "+Inf"))).isEqualTo(count);
        double last = 0;
        for (String le : new String[] {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0", "2.5", "5.0", "10.0", "+Inf"}) {
            Double b = m.value(bucket(family, version, le));
            assertThat(b).as("bucket le=%s of %s", le, family).isNotNull().isGreaterThanOrEqualTo(last);
            last = b;
        }
        return count;
    }

    @Test
    void theWindowShowsEachVersionsRequestsErrorRatioAndPercentiles() throws Exception {
        mixedRun();
        Polling.await("the one-minute window to hold every request", Duration.ofSeconds(10), () -> {
            try {
                JsonNode s = stats("/api/stats?route=shop&window=1m&scope=node");
                return version(s, "production").path("requests").asLong() == 12 && version(s, "gray").path("requests").asLong() == 6
                        && version(s, "canary").path("requests").asLong() == 3;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        JsonNode s = stats("/api/stats?route=shop&window=1m&scope=node");
        assertThat(s.path("window").asText()).isEqualTo("1m");
        assertThat(s.path("windowSeconds").asInt()).isEqualTo(60);
        assertThat(s.path("scope").asText()).isEqualTo("node");
        assertThat(s.path("nodes").asInt()).isEqualTo(1);
        JsonNode p = version(s, "production");
        assertThat(p.path("errors").asLong()).isEqualTo(4); // its own two 503s and the two timeouts; the 404s are no errors
        assertThat(p.path("errorRatio").asDouble()).isCloseTo(4 / 12.0, org.assertj.core.data.Offset.offset(1e-4));
        assertThat(p.path("requestsPerSecond").asDouble()).isCloseTo(12 / 60.0, org.assertj.core.data.Offset.offset(1e-4));
        assertThat(p.path("p99Millis").asDouble()).isGreaterThanOrEqualTo(300); // the timeouts
        assertThat(p.path("p50Millis").asDouble()).isLessThan(300);
        assertThat(version(s, "gray").path("errorRatio").asDouble()).isCloseTo(2 / 6.0, org.assertj.core.data.Offset.offset(1e-4));
        assertThat(version(s, "canary").path("errorRatio").asDouble()).isEqualTo(1.0);

        // Through the contract the rollout reads, the same figures.
        RouteStats direct = gateway.stats().query("shop", Duration.ofMinutes(1), StatsScope.CLUSTER);
        assertThat(direct.nodes()).isEqualTo(1);
        assertThat(direct.versions()).extracting(VersionStats::version).containsExactly("production", "gray", "canary");
        assertThat(direct.versions()).extracting(VersionStats::requests).containsExactly(12L, 6L, 3L);
        assertThat(direct.versions()).extracting(VersionStats::errors).containsExactly(4L, 2L, 3L);
    }

    @Test
    void aVersionWithNoRequestsIsListedWithNoPercentiles() throws Exception {
        JsonNode s = stats("/api/stats?route=shop&window=10s");
        assertThat(s.path("scope").asText()).isEqualTo("cluster");
        JsonNode canary = version(s, "canary");
        assertThat(canary.path("requests").asLong()).isZero();
        assertThat(canary.path("errorRatio").asDouble()).isZero();
        assertThat(canary.path("p99Millis").isNull()).isTrue();
    }

    @Test
    void aBadQueryIsRefusedNamingTheField() throws Exception {
        assertThat(admin("/api/stats?route=shop&window=0s", true)).satisfies(r -> {
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.body()).contains("window");
        });
        assertThat(admin("/api/stats?route=shop&window=6m", true).body()).contains("window: 6m is out of range");
        assertThat(admin("/api/stats?route=shop&window=soon", true).body()).contains("window: \\\"soon\\\"");
        assertThat(admin("/api/stats?route=shop&scope=everywhere", true).body()).contains("scope");
        assertThat(admin("/api/stats", true).body()).contains("route: required");
        assertThat(admin("/api/stats?route=nowhere", true).statusCode()).isEqualTo(404);
        assertThat(gateway.stats().query("shop", Duration.ofSeconds(90), StatsScope.NODE).window()).isEqualTo(Duration.ofSeconds(90));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> gateway.stats().query("shop", Duration.ofMillis(1500), StatsScope.NODE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("window:");
    }

    @Test
    void aPolicyChangeKeepsTheCountsAndCountsTheNewDecisions() throws Exception {
        for (int i = 0; i < 3; i++) assertThat(get("/ok", null)).isEqualTo(200);
        gateway.rules().apply("shop", io.graygate.rules.RuleChange.switchTo("gray"), "test");
        for (int i = 0; i < 2; i++) assertThat(get("/ok", null)).isEqualTo(200);
        PrometheusText m = scrape();
        assertThat(m.value(requests("production", "2xx"))).isEqualTo(3);
        assertThat(m.value(requests("gray", "2xx"))).isEqualTo(2);
        assertThat(m.value("graygate_decisions_total{route=\"shop\",rule=\"(baseline)\",version=\"production\"}")).isEqualTo(3);
        assertThat(m.value("graygate_decisions_total{route=\"shop\",rule=\"(override)\",version=\"gray\"}")).isEqualTo(2);
        assertThat(m.value("graygate_policy_revision{route=\"shop\"}")).isEqualTo(2);
        assertThat(m.value("graygate_route_weight_ratio{route=\"shop\",version=\"gray\"}")).isEqualTo(1);
    }

    @Test
    void theGrafanaDashboardQueriesOnlyMetricsTheGatewayExposes() throws Exception {
        assertThat(get("/ok", null)).isEqualTo(200);
        String dashboard = java.nio.file.Files.readString(Path.of("docs", "grafana-graygate.json"));
        JSON.readTree(dashboard); // it is JSON
        java.util.Set<String> queried = new java.util.TreeSet<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("graygate_[a-z_]+").matcher(dashboard);
        while (m.find()) queried.add(m.group());
        assertThat(queried).contains("graygate_http_requests_total", "graygate_http_request_duration_seconds_bucket");
        java.util.Set<String> exposed = new java.util.TreeSet<>();
        for (String series : scrape().samples().keySet()) exposed.add(series.replaceAll("\\{.*", ""));
        assertThat(exposed).containsAll(queried.stream().filter(q -> !q.equals("graygate_versions")).toList());
    }

    @Test
    void metricsNeedTheTokenUnlessConfiguredOpen() throws Exception {
        assertThat(admin("/metrics", false).statusCode()).isEqualTo(401);
        gateway.close();
        gateway = Gateway.start(ConfigLoader.parse(config(true), Map.of()));
        HttpResponse<String> open = admin("/metrics", false);
        assertThat(open.statusCode()).isEqualTo(200);
        PrometheusText.parse(open.body());
        assertThat(admin("/api/routes", false).statusCode()).isEqualTo(401);
    }

    @Test
    void theNodeListShowsThisNodeWithItsRevisions() throws Exception {
        JsonNode nodes = stats("/api/nodes");
        assertThat(nodes.path("clustered").asBoolean()).isFalse();
        assertThat(nodes.path("nodes")).hasSize(1);
        JsonNode me = nodes.path("nodes").get(0);
        assertThat(me.path("self").asBoolean()).isTrue();
        assertThat(me.path("id").asText()).endsWith(":" + gateway.adminPort());
        assertThat(me.path("address").asText()).isEqualTo("127.0.0.1:" + gateway.adminPort());
        assertThat(me.path("revisions").path("shop").asLong()).isEqualTo(1);
    }

    private JsonNode stats(String path) throws Exception {
        HttpResponse<String> r = admin(path, true);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private static JsonNode version(JsonNode stats, String version) {
        for (JsonNode v : stats.path("versions")) if (v.path("version").asText().equals(version)) return v;
        throw new AssertionError("no version " + version + " in " + stats);
    }
}
