package io.graygate.stats;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.graygate.Gateway;
import io.graygate.config.ConfigLoader;
import io.graygate.testing.GatewayProcess;
import io.graygate.testing.Polling;
import io.graygate.testing.RedisProcess;
import io.graygate.testing.TestUpstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two nodes on one Redis: each posts its heartbeat and per-second samples, so that {@code scope=cluster} on either
 * sums both and {@code /api/nodes} lists both; a node killed outright (no goodbye) drops out once its heartbeat lapses.
 */
class ClusterStatsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    private static String config(RedisProcess redis, Path snapshot, TestUpstream production, TestUpstream gray) {
        return """
                listen: 127.0.0.1:0
                admin: {listen: 127.0.0.1:0}
                store: "redis://127.0.0.1:%d/0?snapshot=%s"
                upstreams:
                  production: {servers: ["%s"]}
                  gray: {servers: ["%s"]}
                routes:
                  - name: web
                    pathPrefix: /
                    versions: {production: production, gray: gray}
                    baseline: production
                    rules:
                      - {name: testers, when: {header: {name: X-Tester, equals: "yes"}}, to: gray}
                proxy: {accessLog: false}
                """.formatted(redis.port(), snapshot, production.hostPort(), gray.hostPort());
    }

    @Test
    void theClusterScopeSumsBothNodesAndAKilledNodeDropsOutWhenItsHeartbeatLapses() throws Exception {
        try (RedisProcess redis = RedisProcess.start();
             TestUpstream production = TestUpstream.start("production");
             TestUpstream gray = TestUpstream.start("gray");
             Gateway a = Gateway.start(ConfigLoader.parse(config(redis, dir.resolve("a.json"), production, gray), Map.of()));
             GatewayProcess b = GatewayProcess.start(dir, "b", config(redis, dir.resolve("b.json"), production, gray))) {
            URI aProxy = URI.create("http://127.0.0.1:" + a.port());
            URI aAdmin = URI.create("http://127.0.0.1:" + a.adminPort());
            for (int i = 0; i < 7; i++) assertThat(get(aProxy.resolve("/a"), false)).isEqualTo(200);
            for (int i = 0; i < 2; i++) assertThat(get(aProxy.resolve("/a?status=500"), true)).isEqualTo(500);
            for (int i = 0; i < 5; i++) assertThat(get(b.proxyUri().resolve("/b"), false)).isEqualTo(200);
            for (int i = 0; i < 3; i++) assertThat(get(b.proxyUri().resolve("/b"), true)).isEqualTo(200);

            Polling.await("node a's cluster window to hold both nodes' requests", Duration.ofSeconds(20), () -> {
                JsonNode s = json(aAdmin.resolve("/api/stats?route=web&window=1m&scope=cluster"));
                return s.path("nodes").asInt() == 2 && requests(s, "production") == 12 && requests(s, "gray") == 5;
            });
            JsonNode cluster = json(aAdmin.resolve("/api/stats?route=web&window=1m&scope=cluster"));
            assertThat(version(cluster, "gray").path("errors").asLong()).isEqualTo(2);
            assertThat(version(cluster, "gray").path("errorRatio").asDouble()).isCloseTo(2 / 5.0, org.assertj.core.data.Offset.offset(1e-4));
            JsonNode node = json(aAdmin.resolve("/api/stats?route=web&window=1m&scope=node"));
            assertThat(node.path("nodes").asInt()).isEqualTo(1);
            assertThat(requests(node, "production")).isEqualTo(7);
            assertThat(requests(node, "gray")).isEqualTo(2);
            // The other node sees the same sums from its side.
            Polling.await("node b's cluster window to hold both nodes' requests", Duration.ofSeconds(20), () -> {
                JsonNode s = json(b.adminUri().resolve("/api/stats?route=web&window=1m&scope=cluster"));
                return s.path("nodes").asInt() == 2 && requests(s, "production") == 12 && requests(s, "gray") == 5;
            });

            JsonNode nodes = json(aAdmin.resolve("/api/nodes"));
            assertThat(nodes.path("clustered").asBoolean()).isTrue();
            List<String> ids = new ArrayList<>();
            nodes.path("nodes").forEach(n -> ids.add(n.path("id").asText()));
            assertThat(ids).hasSize(2).contains(a.liveStats().nodeId());
            JsonNode other = nodes.path("nodes").get(1);
            assertThat(other.path("self").asBoolean()).isFalse();
            assertThat(other.path("id").asText()).endsWith(":" + b.adminUri().getPort());
            assertThat(other.path("address").asText()).isEqualTo(b.adminUri().getHost() + ":" + b.adminUri().getPort());
            assertThat(other.path("revisions").path("web").asLong()).isEqualTo(1);
            assertThat(other.path("graygateVersion").asText()).isNotEmpty();

            ProcessHandle.of(b.pid()).orElseThrow().destroyForcibly(); // SIGKILL: no goodbye, the heartbeat has to lapse
            Polling.await("the killed node to drop out", Duration.ofSeconds(StatsTicker.HEARTBEAT_TTL.toSeconds() + 10), () -> {
                JsonNode s = json(aAdmin.resolve("/api/stats?route=web&window=1m&scope=cluster"));
                return s.path("nodes").asInt() == 1 && json(aAdmin.resolve("/api/nodes")).path("nodes").size() == 1;
            });
            JsonNode alone = json(aAdmin.resolve("/api/stats?route=web&window=1m&scope=cluster"));
            assertThat(requests(alone, "production")).isEqualTo(7);
            assertThat(requests(alone, "gray")).isEqualTo(2);
        }
    }

    private int get(URI uri, boolean tester) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10));
        if (tester) r.header("X-Tester", "yes");
        return http.send(r.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private JsonNode json(URI uri) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            return JSON.readTree(r.body());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static long requests(JsonNode stats, String version) {
        return version(stats, version).path("requests").asLong();
    }

    private static JsonNode version(JsonNode stats, String version) {
        for (JsonNode v : stats.path("versions")) if (v.path("version").asText().equals(version)) return v;
        throw new AssertionError("no version " + version + " in " + stats);
    }
}
