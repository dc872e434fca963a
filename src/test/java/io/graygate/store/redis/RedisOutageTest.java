package io.graygate.store.redis;

import io.graygate.store.StateCodec;
import io.graygate.store.StoreUnavailableException;
import io.graygate.store.StoreStatus;
import io.graygate.store.RouteState;
import io.graygate.rules.RuleBook;
import io.graygate.rules.RuleChange;
import io.graygate.store.RuleStores;
import ch.qos.logback.classic.Level;
import io.graygate.routing.Decision;
import io.graygate.routing.ip.IpEntry;
import io.graygate.policy.Mode;
import io.graygate.testing.LogCapture;
import io.graygate.testing.Polling;
import io.graygate.testing.RedisProcess;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static io.graygate.store.redis.RedisNodes.decide;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Redis going away and coming back: nodes serve on, refuse writes at once, start from disk, and resync. */
class RedisOutageTest {

    @TempDir
    Path dir;
    private RedisProcess redis;
    private RedisNodes nodes;

    @BeforeEach
    void setUp() {
        redis = RedisProcess.start();
        nodes = new RedisNodes(dir);
    }

    @AfterEach
    void tearDown() {
        nodes.close();
        redis.close();
    }

    @Test
    void whenRedisDiesDecisionsGoOnAndWhenItReturnsNodesResyncWithinTwoSeconds() throws Exception {
        RuleBook a = nodes.node(redis.uri());
        RuleBook b = nodes.node(redis.uri());
        a.apply("web", RuleChange.addToSet("whitelist", List.of(IpEntry.parse("10.2.0.0/16"))), "test");
        Polling.await("node b in step", Duration.ofSeconds(1), () -> b.state("web").revision() == 2);

        try (DecisionLoad load = new DecisionLoad(a, b)) {
            redis.kill();
            Polling.await("both nodes noticing", Duration.ofSeconds(2), () -> !a.store().status().connected() && !b.store().status().connected());
            long during = load.decisions();
            Polling.await("decisions during the outage", Duration.ofSeconds(1), () -> load.decisions() > during + 1000);
            assertThat(decide(a, "web", "10.2.3.4").version()).isEqualTo("gray");

            redis.restart(); // empty: this test's Redis keeps nothing on disk
            long back = System.nanoTime();
            Polling.await("both nodes reconnected", Duration.ofSeconds(2), () -> a.store().status().connected() && b.store().status().connected());
            assertThat(Duration.ofNanos(System.nanoTime() - back)).isLessThan(Duration.ofSeconds(2));

            // The nodes wrote their rules back into the empty Redis, and changes flow again.
            RedisCommands<String, String> cli = nodes.plainClient(redis);
            assertThat(cli.hget("graygate:route:web", "revision")).isEqualTo("2");
            assertThat(cli.smembers("graygate:route:web:set:whitelist")).contains("10.2.0.0/16");
            b.apply("web", RuleChange.setMode(Mode.ALL_GRAY), "test");
            Polling.await("the change reaching node a", Duration.ofSeconds(1), () -> a.state("web").policy().mode() == Mode.ALL_GRAY);
            assertThat(load.failures()).isZero();
        }
    }

    @Test
    void aWriteDuringAnOutageIsRefusedQuicklyAndChangesNothing() {
        RuleBook node = nodes.node(redis.uri());
        RouteState before = node.state("web");
        redis.kill();
        Polling.await("the outage noticed", Duration.ofSeconds(1), () -> !node.store().status().connected());

        long start = System.nanoTime();
        assertThatThrownBy(() -> node.apply("web", RuleChange.addToSet("whitelist", List.of(IpEntry.parse("10.66.0.1"))), "test"))
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("Redis at redis://127.0.0.1:" + redis.port())
                .hasMessageContaining("the change was not made");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1500));
        assertThat(node.state("web")).isSameAs(before);
        assertThat(decide(node, "web", "10.66.0.1").version()).isEqualTo("production");

        // Refused means never made, not made later: nothing is replayed when Redis returns.
        redis.restart();
        Polling.await("reconnected", Duration.ofSeconds(2), () -> node.store().status().connected());
        RedisCommands<String, String> cli = nodes.plainClient(redis);
        assertThat(cli.smembers("graygate:route:web:set:whitelist")).containsExactly("10.0.0.1");
        assertThat(cli.hget("graygate:route:web", "revision")).isEqualTo("1");
        assertThat(node.state("web").revision()).isEqualTo(1);
    }

    @Test
    void aWriteToAHungRedisTimesOutQuicklyAndIsAllOrNothing() {
        RuleBook node = nodes.open(RedisNodes.config(nodes.storeUri(redis.uri() + "/0?timeout=300ms", "hung")));
        node.apply("web", RuleChange.setMode(Mode.GRAY), "test"); // Redis now knows the write script by its SHA-1
        redis.pause();
        try {
            long start = System.nanoTime();
            assertThatThrownBy(() -> node.apply("web", RuleChange.addToSet("whitelist", List.of(IpEntry.parse("10.77.0.1"))), "test"))
                    .isInstanceOf(StoreUnavailableException.class)
                    .hasMessageContaining("script apply: no answer from Redis within 300 ms")
                    .hasMessageContaining("not confirmed");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1000));
        } finally {
            redis.resume();
        }
        // The script reached Redis before it hung, so it runs when Redis wakes: whole, version and notice included.
        Polling.await("the node taking in the late write", Duration.ofSeconds(3),
                () -> decide(node, "web", "10.77.0.1").version().equals("gray"));
        assertThat(node.state("web").revision()).isEqualTo(3);
        assertThat(node.state("web").ipSets().get("whitelist").toStrings()).containsExactlyInAnyOrder("10.0.0.1", "10.77.0.1");
        assertThat(nodes.plainClient(redis).hget("graygate:route:web", "revision")).isEqualTo("3");
    }

    @Test
    void aNodeStartsFromItsLastKnownGoodSnapshotWhenRedisIsDownAndLogsOneWarning() {
        String uri = nodes.storeUri(redis.uri(), "same-node");
        RuleBook first = nodes.open(RedisNodes.config(uri));
        first.apply("web", RuleChange.addToSet("whitelist", List.of(IpEntry.parse("10.3.0.1"))), "test");
        RedisCommands<String, String> cli = nodes.plainClient(redis);
        cli.set("gray", "192.168.2.165");
        Polling.await("the key read", Duration.ofSeconds(1), () -> decide(first, "api", "192.168.2.165").version().equals("gray"));
        first.close(); // writes what is queued for the snapshot
        redis.kill();

        try (LogCapture logs = LogCapture.of(Level.INFO, "io.graygate", "io.lettuce")) {
            RuleBook restarted = nodes.open(RedisNodes.config(uri));

            assertThat(restarted.state("web").revision()).isEqualTo(2);
            assertThat(decide(restarted, "web", "10.3.0.1").version()).isEqualTo("gray");
            assertThat(decide(restarted, "api", "192.168.2.165").version()).isEqualTo("gray");
            StoreStatus status = restarted.store().status();
            assertThat(status.connected()).isFalse();
            assertThat(status.rulesFrom()).startsWith("disk snapshot " + dir.resolve("same-node-snapshot.json"));
            // The store says once where the rules came from; the rule book says (once) that they differ from the configuration's.
            assertThat(logs.lines()).filteredOn(l -> (l.startsWith("WARN") || l.startsWith("ERROR")) && !l.contains("differ from the store's")).hasSize(1)
                    .first().asString().contains("is unreachable").contains("disk snapshot");

            // When Redis returns (empty), the node writes back what it served.
            redis.restart();
            Polling.await("reconnected", Duration.ofSeconds(2), () -> restarted.store().status().connected());
            RedisCommands<String, String> after = nodes.plainClient(redis);
            assertThat(after.smembers("graygate:route:web:set:whitelist")).containsExactlyInAnyOrder("10.0.0.1", "10.3.0.1");
            assertThat(restarted.store().status().rulesFrom()).isEqualTo("redis");
            // The key is Redis's, not the node's: now absent, so no longer in force.
            Polling.await("the key read again", Duration.ofSeconds(1), () -> decide(restarted, "api", "192.168.2.165").version().equals("production"));
        }
    }

    @Test
    void withNoSnapshotANodeStartsFromTheConfigurationWhenRedisIsDown() {
        redis.kill();
        String uri = nodes.storeUri(redis.uri(), "fresh");

        RuleBook node = nodes.open(RedisNodes.config(uri));

        assertThat(Files.exists(dir.resolve("fresh-snapshot.json"))).isFalse();
        assertThat(node.store().status().rulesFrom()).isEqualTo("configuration");
        assertThat(node.state("web").revision()).isEqualTo(1);
        assertThat(decide(node, "web", "10.0.0.1").version()).isEqualTo("gray");
        assertThat(decide(node, "api", "10.0.0.1").version()).isEqualTo("production");

        redis.restart();
        Polling.await("reconnected", Duration.ofSeconds(2), () -> node.store().status().connected());
        Polling.await("the snapshot written", Duration.ofSeconds(2), () -> Files.exists(dir.resolve("fresh-snapshot.json")));
    }

    @Test
    void anOutageIsLoggedOnceWhenItStartsAndOnceWhenItEnds() throws Exception {
        RuleBook node = nodes.node(redis.uri());
        try (LogCapture logs = LogCapture.of(Level.INFO, "io.graygate", "io.lettuce")) {
            redis.kill();
            Polling.await("noticed", Duration.ofSeconds(2), () -> !node.store().status().connected());
            Thread.sleep(1500); // six reconnect attempts: none of them may log
            assertThatThrownBy(() -> node.apply("web", RuleChange.rollback(null), "test")).isInstanceOf(StoreUnavailableException.class);
            redis.restart();
            Polling.await("reconnected", Duration.ofSeconds(2), () -> node.store().status().connected());

            List<String> worrying = logs.lines().stream().filter(l -> l.startsWith("WARN") || l.startsWith("ERROR")).toList();
            assertThat(worrying).hasSize(1);
            assertThat(worrying.get(0)).contains("is unreachable");
            assertThat(logs.messages(Level.INFO, "reachable again")).hasSize(1);
        }
    }

    @Test
    void redisHoldingAnOlderRevisionThanTheNodesGetsTheirNewerStateBackAndNoNodeStepsBack() {
        RuleBook a = nodes.node(redis.uri());
        RuleBook b = nodes.node(redis.uri());
        for (int i = 0; i < 4; i++) a.apply("web", RuleChange.addToSet("whitelist", List.of(IpEntry.parse("10.4.0." + i))), "test");
        Polling.await("b at revision 5", Duration.ofSeconds(1), () -> b.state("web").revision() == 5);

        // Redis restored from an older backup: revision 2, other data, nothing published.
        RedisCommands<String, String> cli = nodes.plainClient(redis);
        cli.del("graygate:route:web:set:whitelist");
        cli.sadd("graygate:route:web:set:whitelist", "10.5.0.1");
        cli.hset("graygate:route:web", Map.of("revision", "2",
                "policy", StateCodec.policyJson(a.state("web").policy().withOverride("production"))));

        Polling.await("revision 5 written back", Duration.ofMillis(2500), () -> "5".equals(cli.hget("graygate:route:web", "revision")));
        assertThat(cli.smembers("graygate:route:web:set:whitelist")).hasSize(5).contains("10.4.0.3").doesNotContain("10.5.0.1");
        assertThat(StateCodec.policy(cli.hget("graygate:route:web", "policy")).override()).isNull();
        for (RuleBook node : List.of(a, b)) {
            assertThat(node.state("web").revision()).isEqualTo(5);
            assertThat(node.state("web").policy().mode()).isEqualTo(Mode.GRAY);
            assertThat(decide(node, "web", "10.4.0.3").version()).isEqualTo("gray");
        }
        b.apply("web", RuleChange.setMode(Mode.ALL_GRAY), "test");
        Polling.await("changes flow again", Duration.ofSeconds(1), () -> a.state("web").revision() == 6);
    }

    @Test
    void aRouteDeletedFromRedisIsWrittenBackFromTheNodesRules() {
        RuleBook node = nodes.node(redis.uri());
        node.apply("web", RuleChange.addToSet("whitelist", List.of(IpEntry.parse("10.6.0.1"))), "test");
        RedisCommands<String, String> cli = nodes.plainClient(redis);

        cli.del("graygate:route:web", "graygate:route:web:set:whitelist");

        Polling.await("the route written back", Duration.ofMillis(2500), () -> "2".equals(cli.hget("graygate:route:web", "revision")));
        assertThat(cli.smembers("graygate:route:web:set:whitelist")).containsExactlyInAnyOrder("10.0.0.1", "10.6.0.1");
        assertThat(decide(node, "web", "10.6.0.1").version()).isEqualTo("gray");
    }

    /** Decides on every node's snapshot in a loop, as the proxy would, counting decisions and failures. */
    static final class DecisionLoad implements AutoCloseable {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicLong decisions = new AtomicLong();
        private final AtomicLong failures = new AtomicLong();
        private final Thread thread;

        DecisionLoad(RuleBook... books) {
            thread = new Thread(() -> {
                String[] ips = {"10.0.0.1", "10.2.3.4", "192.0.2.7"};
                for (long i = 0; running.get(); i++) {
                    try {
                        for (RuleBook book : books) {
                            Decision d = decide(book, "web", ips[(int) (i % ips.length)]);
                            if (d == null || d.upstream() == null) failures.incrementAndGet();
                            decisions.incrementAndGet();
                        }
                    } catch (RuntimeException e) {
                        failures.incrementAndGet();
                    }
                    if (i % 1000 == 0) Thread.yield();
                }
            }, "decision-load");
            thread.start();
        }

        long decisions() {
            return decisions.get();
        }

        long failures() {
            return failures.get();
        }

        @Override
        public void close() {
            running.set(false);
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
