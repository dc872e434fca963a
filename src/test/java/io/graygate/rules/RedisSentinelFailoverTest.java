package io.graygate.rules;

import io.graygate.routing.IpEntry;
import io.graygate.testing.Polling;
import io.graygate.testing.RedisProcess;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.stream.Collectors;

import static io.graygate.rules.RedisNodes.decide;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * One primary, one replica and three sentinels ({@code redis-server sentinel.conf --sentinel}); the primary is killed
 * while two nodes decide in a loop. Decisions never fail; once Sentinel has promoted the replica, writes work again
 * and reach both nodes.
 */
class RedisSentinelFailoverTest {

    private static final String MASTER = "gg-primary";

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
    void killingThePrimaryUnderLoadFailsNoDecisionAndWritesResumeOnThePromotedReplica() throws Exception {
        String uri = "redis-sentinel://" + sentinels.stream().map(s -> "127.0.0.1:" + s.port()).collect(Collectors.joining(","))
                + "/0?masterName=" + MASTER + "&timeout=500ms";
        RuleBook a = nodes.node(uri);
        RuleBook b = nodes.node(uri);
        a.apply("web", RuleChange.addToWhitelist(List.of(IpEntry.parse("10.20.0.0/16"))));
        Polling.await("node b in step", Duration.ofSeconds(1), () -> b.rules("web").version() == 2);
        assertThat(plain(primary).waitForReplication(1, 2000)).as("the write replicated before the crash").isEqualTo(1);

        try (RedisOutageTest.DecisionLoad load = new RedisOutageTest.DecisionLoad(a, b)) {
            primary.kill();
            long killed = System.nanoTime();

            RouteRules after = RedisNodes.eventuallyWorks(Duration.ofSeconds(20),
                    () -> a.apply("web", RuleChange.addToWhitelist(List.of(IpEntry.parse("10.21.0.1")))));
            Duration writable = Duration.ofNanos(System.nanoTime() - killed);
            System.out.println("sentinel failover: writes refused for " + writable.toMillis() + " ms after the primary was killed");

            assertThat(after.version()).isEqualTo(3);
            Polling.await("the write after failover reaching node b", Duration.ofSeconds(2),
                    () -> decide(b, "web", "10.21.0.1").version().equals("gray"));
            assertThat(decide(b, "web", "10.20.5.5").version()).as("the rules from before the crash").isEqualTo("gray");
            assertThat(nodes.plainClient(replica).hget("graygate:route:web", "version")).as("written to the promoted replica").isEqualTo("3");
            assertThat(load.failures()).isZero();
            assertThat(load.decisions()).isGreaterThan(1000);
            assertThat(writable).as("writes refused only until the promotion").isLessThan(Duration.ofSeconds(15));
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
