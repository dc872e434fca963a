package io.graygate.store.redis;

import io.graygate.Gateway;
import io.graygate.config.ConfigLoader;
import io.graygate.testing.Polling;
import io.graygate.testing.RedisProcess;
import io.graygate.testing.TestUpstream;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One primary, one replica and three sentinels ({@code redis-server sentinel.conf --sentinel}) behind two gateways
 * (in this JVM, each with its own proxy, admin API and store); the primary is killed while a client sends requests
 * through both proxies. No request fails; once Sentinel has promoted the replica, admin writes work again and reach
 * both gateways.
 */
class RedisSentinelFailoverTest {

    private static final String MASTER = "gg-primary";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path dir;
    private final List<RedisProcess> processes = new ArrayList<>();
    private RedisNodes nodes;
    private RedisProcess primary;
    private RedisProcess replica;
    private final Map<RedisProcess, RedisCommands<String, String>> clients = new HashMap<>();
    private List<RedisProcess> sentinels;

    @BeforeEach
    void setUp() {
        nodes = new RedisNodes(dir);
        primary = track(RedisProcess.start());
        replica = track(RedisProcess.startReplicaOf(primary));
        Polling.await("the replica in sync", Duration.ofSeconds(10),
                () -> info(replica, "replication").contains("master_link_status:up"));
        sentinels = List.of(
                track(RedisProcess.startSentinel(MASTER, primary, 2, null)),
                track(RedisProcess.startSentinel(MASTER, primary, 2, null)),
                track(RedisProcess.startSentinel(MASTER, primary, 2, null)));
        // Sentinels find the replica through the primary and each other through its hello channel (every 2 s).
        Polling.await("every sentinel knowing the replica and the two other sentinels", Duration.ofSeconds(15),
                () -> sentinels.stream().allMatch(s -> sentinel(s, c -> {
                    Map<String, String> m = c.sync().master(MASTER);
                    return "1".equals(m.get("num-slaves")) && "2".equals(m.get("num-other-sentinels"));
                })));
    }

    @AfterEach
    void tearDown() {
        nodes.close();
        processes.forEach(RedisProcess::close);
    }

    @Test
    void killingThePrimaryUnderClientLoadFailsNoRequestAndAdminWritesResumeOnThePromotedReplica() throws Exception {
        String uri = "redis-sentinel://" + sentinels.stream().map(s -> "127.0.0.1:" + s.port()).collect(Collectors.joining(","))
                + "/0?masterName=" + MASTER + "&timeout=500ms";
        try (TestUpstream production = TestUpstream.start("production"); TestUpstream gray = TestUpstream.start("gray");
             Gateway a = gateway(uri + "&snapshot=" + dir.resolve("a.json"), production, gray);
             Gateway b = gateway(uri + "&snapshot=" + dir.resolve("b.json"), production, gray)) {
            assertThat(admin(a, "POST", "/api/routes/web/whitelist", "{\"entries\": [\"10.20.0.0/16\"]}").statusCode()).isEqualTo(200);
            Polling.await("node b in step", Duration.ofSeconds(1), () -> b.rules().state("web").revision() == 2);
            assertThat(plain(primary).waitForReplication(1, 2000)).as("the write replicated before the crash").isEqualTo(1);

            try (HttpLoad load = new HttpLoad(List.of(proxy(a), proxy(b)))) {
                Polling.await("load running", Duration.ofSeconds(5), () -> load.ok() > 200);
                primary.kill();
                long killed = System.nanoTime();

                // 503 while no primary is known; the same call succeeds once Sentinel has promoted the replica.
                HttpResponse<String> accepted = RedisNodes.eventuallyWorks(Duration.ofSeconds(20), () -> {
                    HttpResponse<String> r = admin(a, "POST", "/api/routes/web/whitelist", "{\"entries\": [\"127.0.0.1\"]}");
                    if (r.statusCode() != 200) throw new IllegalStateException(r.statusCode() + " " + r.body());
                    return r;
                });
                Duration writable = Duration.ofNanos(System.nanoTime() - killed);
                System.out.println("sentinel failover: admin writes refused for " + writable.toMillis() + " ms after the primary was killed");

                assertThat(accepted.body()).contains("\"version\":3");
                for (Gateway g : List.of(a, b)) {
                    Polling.await("the write after failover reaching " + proxy(g), Duration.ofSeconds(2),
                            () -> get(g).equals("gray")); // this test's client is 127.0.0.1
                }
                assertThat(b.rules().state("web").ipSets().get("whitelist").toStrings()).contains("10.20.0.0/16", "127.0.0.1");
                assertThat(nodes.plainClient(replica).hget("graygate:route:web", "revision")).as("written to the promoted replica").isEqualTo("3");
                assertThat(load.failed()).as("failed client requests, the last: " + load.lastFailure()).isZero();
                assertThat(writable).as("writes refused only until the promotion").isLessThan(Duration.ofSeconds(15));
            }
        }
    }

    private Gateway gateway(String store, TestUpstream production, TestUpstream gray) {
        return Gateway.start(ConfigLoader.parse(RedisPropagationBench.gatewayConfig(store, production, gray), Map.of()));
    }

    private static URI proxy(Gateway g) {
        return URI.create("http://127.0.0.1:" + g.port() + "/");
    }

    private static String get(Gateway g) {
        try {
            return HTTP.send(HttpRequest.newBuilder(proxy(g)).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (Exception e) {
            return e.toString();
        }
    }

    private static HttpResponse<String> admin(Gateway g, String method, String path, String json) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.adminPort() + path))
                    .method(method, HttpRequest.BodyPublishers.ofString(json)).header("Content-Type", "application/json").build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private RedisProcess track(RedisProcess p) {
        processes.add(p);
        return p;
    }

    private String info(RedisProcess p, String section) {
        return plain(p).info(section);
    }

    private RedisCommands<String, String> plain(RedisProcess p) {
        return clients.computeIfAbsent(p, nodes::plainClient);
    }

    private static boolean sentinel(RedisProcess s, java.util.function.Predicate<StatefulRedisSentinelConnection<String, String>> test) {
        RedisClient client = RedisClient.create();
        try (StatefulRedisSentinelConnection<String, String> c = client.connectSentinel(
                io.lettuce.core.RedisURI.create("redis://127.0.0.1:" + s.port()))) {
            return test.test(c);
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }
}
