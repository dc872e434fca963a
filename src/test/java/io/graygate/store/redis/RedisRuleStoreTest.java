package io.graygate.store.redis;

import io.graygate.store.RouteState;
import io.graygate.rules.RuleBook;
import io.graygate.rules.RuleChange;
import io.graygate.store.RuleStores;
import io.graygate.routing.ip.IpEntry;
import io.graygate.policy.Mode;
import io.graygate.store.HistoryEntry;
import io.graygate.store.StateCodec;
import io.graygate.testing.Polling;
import io.graygate.testing.RedisProcess;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.graygate.store.redis.RedisNodes.decide;
import static org.assertj.core.api.Assertions.assertThat;

/** The Redis store against a real redis-server: layout, atomic writes, seeding, and the three ways nodes learn of changes. */
class RedisRuleStoreTest {

    private static RedisProcess redis;

    @TempDir
    Path dir;
    private RedisNodes nodes;
    private RedisCommands<String, String> cli;

    @BeforeAll
    static void startRedis() {
        redis = RedisProcess.start();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @BeforeEach
    void setUp() {
        nodes = new RedisNodes(dir);
        cli = nodes.plainClient(redis);
        cli.flushall(); // a Redis this test class started itself
    }

    @AfterEach
    void tearDown() {
        nodes.close();
    }

    @Test
    void firstStartSeedsRedisFromTheConfigurationInTheDocumentedLayout() {
        RuleBook node = nodes.node(redis.uri());

        Map<String, String> hash = cli.hgetall("graygate:route:web");
        assertThat(hash).containsOnlyKeys("revision", "policy", "sets", "format");
        assertThat(hash).containsEntry("revision", "1").containsEntry("format", "2").containsEntry("sets", "[\"whitelist\"]");
        assertThat(StateCodec.policy(hash.get("policy"))).isEqualTo(node.state("web").policy());
        assertThat(cli.smembers("graygate:route:web:set:whitelist")).containsExactly("10.0.0.1");
        assertThat(cli.lrange("graygate:route:web:history", 0, -1)).singleElement()
                .satisfies(h -> assertThat(StateCodec.history(h).change()).isEqualTo("seeded from the configuration"));
        assertThat(node.state("web").revision()).isEqualTo(1);
        assertThat(decide(node, "web", "10.0.0.1").version()).isEqualTo("gray");
        assertThat(decide(node, "web", "10.0.0.2").version()).isEqualTo("production");
        assertThat(node.store().status().connected()).isTrue();
        assertThat(node.store().status().rulesFrom()).isEqualTo("redis");
    }

    @Test
    void theKeyPrefixComesFromTheUri() {
        nodes.node(redis.uri() + "/0?prefix=team-a:");

        assertThat(cli.exists("team-a:route:web")).isEqualTo(1);
        assertThat(cli.exists("graygate:route:web")).isZero();
    }

    @Test
    void aLaterStartTakesTheStateInRedisNotTheConfiguration() {
        RuleBook first = nodes.node(redis.uri());
        first.apply("web", RuleChange.addToSet("whitelist", List.of(IpEntry.parse("192.168.2.0/24"))), "test");
        first.apply("web", RuleChange.switchTo(null), "test");

        RuleBook node = nodes.node(redis.uri());

        RouteState web = node.state("web");
        assertThat(web.revision()).isEqualTo(3);
        assertThat(web.policy().mode()).isEqualTo(Mode.ALL_GRAY);
        assertThat(web.ipSets().get("whitelist").toStrings()).containsExactlyInAnyOrder("10.0.0.1", "192.168.2.0/24");
        assertThat(web.history()).extracting(HistoryEntry::revision).containsExactly(1L, 2L, 3L);
    }

    @Test
    void aRouteInTheFirstReleasesLayoutIsMigratedWithoutLoss() {
        cli.hset("graygate:route:web", Map.of("mode", "all-gray", "previousMode", "gray", "version", "7"));
        cli.sadd("graygate:route:web:whitelist", "192.168.2.0/24", "2001:db8::/32");

        RuleBook node = nodes.node(redis.uri());

        RouteState web = node.state("web");
        assertThat(web.revision()).isEqualTo(7);
        assertThat(web.policy().override()).isEqualTo("gray");
        assertThat(web.ipSets().get("whitelist").toStrings()).containsExactlyInAnyOrder("192.168.2.0/24", "2001:db8::/32");
        assertThat(cli.hgetall("graygate:route:web")).containsOnlyKeys("revision", "policy", "sets", "format");
        assertThat(cli.exists("graygate:route:web:whitelist")).isZero();
        assertThat(cli.smembers("graygate:route:web:set:whitelist")).containsExactlyInAnyOrder("192.168.2.0/24", "2001:db8::/32");
        RuleBook other = nodes.node(redis.uri());
        assertThat(other.state("web").revision()).isEqualTo(7);
        assertThat(other.state("web").policy()).isEqualTo(web.policy());
        // the previous mode survives as the revision before: a rollback returns to it, as in the first release
        assertThat(web.history()).extracting(HistoryEntry::revision).containsExactly(6L, 7L);
        RouteState back = node.apply("web", RuleChange.rollback(null), "test");
        assertThat(back.policy().mode()).isEqualTo(Mode.GRAY);
        assertThat(decide(node, "web", "8.8.8.8").version()).isEqualTo("production");
    }

    @Test
    void aRouteInANewerStoreFormatIsNeitherReadNorWrittenOver() {
        RuleBook node = nodes.node(redis.uri());
        cli.hset("graygate:route:web", "format", "3"); // what a later graygate might write
        String revision = cli.hget("graygate:route:web", "revision");

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> node.apply("web", RuleChange.switchTo(null), "test"))
                .isInstanceOf(io.graygate.store.StoreUnavailableException.class)
                .hasMessageContaining("store format 3, written by a newer graygate; this one reads and writes format 2")
                .hasMessageContaining("the change was not made");
        assertThat(cli.hget("graygate:route:web", "format")).isEqualTo("3");
        assertThat(cli.hget("graygate:route:web", "revision")).isEqualTo(revision);
        assertThat(node.state("web").policy().override()).isNull();
    }

    @Test
    void nodesStartingTogetherSeedOnceAndAgree() throws Exception {
        int n = 4;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<RuleBook>> started = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                started.add(pool.submit(() -> {
                    go.await();
                    return nodes.node(redis.uri());
                }));
            }
            go.countDown();
            for (Future<RuleBook> f : started) assertThat(f.get(20, TimeUnit.SECONDS).state("web").revision()).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(cli.hget("graygate:route:web", "revision")).isEqualTo("1");
        assertThat(cli.llen("graygate:route:web:history")).isEqualTo(1);
    }

    @Test
    void aWriteChangesTheDataBumpsTheRevisionKeepsTheHistoryAndPublishesTheDelta() throws Exception {
        RuleBook node = nodes.node(redis.uri());
        BlockingQueue<String> notices = subscribe("graygate:changes");

        RouteState after = node.apply("web", RuleChange.addToSet("whitelist", List.of(IpEntry.parse("10.9.0.0/16"))), "test");

        assertThat(after.revision()).isEqualTo(2);
        assertThat(cli.hget("graygate:route:web", "revision")).isEqualTo("2");
        assertThat(cli.smembers("graygate:route:web:set:whitelist")).containsExactlyInAnyOrder("10.0.0.1", "10.9.0.0/16");
        RedisChangeNotice notice = RedisChangeNotice.decode(notices.poll(2, TimeUnit.SECONDS)).orElseThrow();
        assertThat(notice.revision()).isEqualTo(2);
        assertThat(notice.delta().orElseThrow().added()).containsOnlyKeys("whitelist");
        assertThat(decide(node, "web", "10.9.3.4").version()).isEqualTo("gray");

        node.apply("web", RuleChange.switchTo(null), "test");
        assertThat(StateCodec.policy(cli.hget("graygate:route:web", "policy")).override()).isEqualTo("gray");
        assertThat(RedisChangeNotice.decode(notices.poll(2, TimeUnit.SECONDS)).orElseThrow().delta().orElseThrow().entry().change())
                .isEqualTo("switch: everyone to gray");

        node.apply("web", RuleChange.rollback(null), "test");
        assertThat(StateCodec.policy(cli.hget("graygate:route:web", "policy")).override()).isNull();
        assertThat(StateCodec.history(cli.lindex("graygate:route:web:history", 0)).restored()).isEqualTo(2L);

        node.apply("web", RuleChange.removeFromSet("whitelist", List.of(IpEntry.parse("10.0.0.1"))), "test");
        assertThat(cli.smembers("graygate:route:web:set:whitelist")).containsExactly("10.9.0.0/16");
        assertThat(cli.lrange("graygate:route:web:history", 0, -1)).extracting(h -> StateCodec.history(h).revision())
                .containsExactly(5L, 4L, 3L, 2L, 1L);
    }

    @Test
    void theHistoryInRedisKeepsTheLastHundredRevisions() {
        RuleBook node = nodes.node(redis.uri());
        for (int i = 0; i < RouteState.HISTORY_KEPT + 10; i++) node.apply("web", RuleChange.setMode(i % 2 == 0 ? Mode.ALL_GRAY : Mode.GRAY), "test");
        assertThat(cli.llen("graygate:route:web:history")).isEqualTo(RouteState.HISTORY_KEPT);
        assertThat(StateCodec.history(cli.lindex("graygate:route:web:history", -1)).revision()).isEqualTo(12);
        RuleBook other = nodes.node(redis.uri());
        assertThat(other.state("web").history()).hasSize(RouteState.HISTORY_KEPT);
        assertThat(other.state("web").history()).isEqualTo(node.state("web").history());
    }

    @Test
    void aNodeThatFindsRedisBehindWritesItsNewerStateBackInsteadOfSteppingBack() {
        RuleBook node = nodes.node(redis.uri());
        node.apply("web", RuleChange.addToSet("whitelist", List.of(IpEntry.parse("10.7.0.0/16"))), "test");
        node.apply("web", RuleChange.switchTo(null), "test");
        // What a failover to a replica that missed the last two writes looks like: Redis back at revision 1.
        cli.hset("graygate:route:web", "revision", "1");
        cli.hset("graygate:route:web", "policy", StateCodec.policyJson(nodes.config(redis.uri()).route("web").policy()));
        cli.srem("graygate:route:web:set:whitelist", "10.7.0.0/16");

        Polling.await("this node's revision 3 written back", Duration.ofSeconds(3), () -> "3".equals(cli.hget("graygate:route:web", "revision")));
        assertThat(cli.smembers("graygate:route:web:set:whitelist")).containsExactlyInAnyOrder("10.0.0.1", "10.7.0.0/16");
        assertThat(StateCodec.policy(cli.hget("graygate:route:web", "policy")).override()).isEqualTo("gray");
        assertThat(node.state("web").revision()).isEqualTo(3);
        assertThat(decide(node, "web", "8.8.8.8").version()).isEqualTo("gray");
    }

    @Test
    void aReloadAddingARouteAnotherNodeHasChangedTakesItsRulesFromRedis() {
        String shop = """
                  - {name: shop, pathPrefix: /shop, stable: prod, gray: next, whitelist: ["10.9.0.1"]}
                """;
        RuleBook a = nodes.open(RedisNodes.config(nodes.storeUri(redis.uri(), "a"), shop));
        RuleBook b = nodes.open(RedisNodes.config(nodes.storeUri(redis.uri(), "b")));
        a.apply("shop", RuleChange.switchTo(null), "test");
        a.apply("shop", RuleChange.addToSet("whitelist", List.of(IpEntry.parse("10.9.0.2"))), "test");

        // Seeding reads revision 3 back from Redis on b's sync thread, which tells b's rule book while the reload
        // is under way: this once deadlocked the reload.
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> b.reconfigure(RedisNodes.config(nodes.storeUri(redis.uri(), "b"), shop)));

        assertThat(b.state("shop").revision()).isEqualTo(3);
        assertThat(decide(b, "shop", "8.8.8.8").version()).isEqualTo("gray");
        a.apply("shop", RuleChange.setMode(Mode.GRAY), "test");
        Polling.await("a later change to the added route on b", Duration.ofSeconds(3), () -> b.state("shop").revision() == 4);
        assertThat(decide(b, "shop", "10.9.0.2").version()).isEqualTo("gray");
        assertThat(decide(b, "shop", "8.8.8.8").version()).isEqualTo("production");
    }

    @Test
    void aChangeOnOneNodeReachesTheOtherThroughPubSubWellWithinTheCheckPeriod() {
        RuleBook a = nodes.node(redis.uri());
        RuleBook b = nodes.node(redis.uri());

        // With the one-second version check alone, twenty changes could not all land within 200 ms.
        for (int i = 1; i <= 20; i++) {
            String ip = "10.1.0." + i;
            a.apply("web", RuleChange.addToSet("whitelist", List.of(IpEntry.parse(ip))), "test");
            Polling.await(ip + " on node b", Duration.ofMillis(200), () -> decide(b, "web", ip).version().equals("gray"));
        }
        assertThat(b.state("web").revision()).isEqualTo(21);
    }

    @Test
    void aChangeWrittenWithoutANoticeIsCaughtByTheRevisionCheck() {
        RuleBook node = nodes.node(redis.uri());

        // What a notice lost on the way looks like: data, revision and history changed, nothing published.
        RouteState mine = node.state("web");
        HistoryEntry entry = new HistoryEntry(2, java.time.Instant.now(), "elsewhere", "set whitelist add [172.16.0.9]", mine.policy(), null);
        cli.sadd("graygate:route:web:set:whitelist", "172.16.0.9");
        cli.lpush("graygate:route:web:history", StateCodec.historyJson(entry));
        cli.hincrby("graygate:route:web", "revision", 1);

        // The check runs about once a second.
        Polling.await("the change without a notice", Duration.ofMillis(1500),
                () -> decide(node, "web", "172.16.0.9").version().equals("gray"));
        assertThat(node.state("web").revision()).isEqualTo(2);
    }

    @Test
    void concurrentWritersOnTwoNodesLoseNoChange() throws Exception {
        RuleBook a = nodes.node(redis.uri());
        RuleBook b = nodes.node(redis.uri());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> writers = new ArrayList<>();
            for (RuleBook node : List.of(a, b)) {
                int base = node == a ? 1 : 2;
                writers.add(pool.submit(() -> {
                    for (int i = 1; i <= 30; i++) {
                        IpEntry ip = IpEntry.parse("10." + base + ".1." + i);
                        // A write that kept losing the race three times is refused whole; the writer retries.
                        RedisNodes.eventuallyWorks(Duration.ofSeconds(5), () -> node.apply("web", RuleChange.addToSet("whitelist", List.of(ip)), "test"));
                    }
                    return null;
                }));
            }
            for (Future<?> w : writers) w.get(30, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertThat(cli.scard("graygate:route:web:set:whitelist")).isEqualTo(61);
        assertThat(cli.hget("graygate:route:web", "revision")).isEqualTo("61");
        Polling.await("both nodes at revision 61", Duration.ofSeconds(2),
                () -> a.state("web").revision() == 61 && b.state("web").revision() == 61);
        assertThat(a.state("web").ipSets().get("whitelist").size()).isEqualTo(61);
        assertThat(b.state("web").ipSets().get("whitelist").size()).isEqualTo(61);
    }

    @Test
    void aOneEntryAddToALargeWhitelistTravelsAsADeltaWithoutReadingTheListBack() {
        List<IpEntry> big = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) big.add(IpEntry.parse("11." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255)));
        RuleBook a = nodes.node(redis.uri());
        RuleBook b = nodes.node(redis.uri());
        a.apply("web", RuleChange.addToSet("whitelist", big), "test");
        Polling.await("the big list on node b", Duration.ofSeconds(10), () -> b.state("web").ipSets().get("whitelist").size() == 100_001);
        long readsBefore = smembersCalls();

        a.apply("web", RuleChange.addToSet("whitelist", List.of(IpEntry.parse("12.0.0.1"))), "test");

        Polling.await("the one entry on node b", Duration.ofSeconds(1), () -> decide(b, "web", "12.0.0.1").version().equals("gray"));
        assertThat(smembersCalls()).isEqualTo(readsBefore);
        assertThat(b.state("web").ipSets().get("whitelist").size()).isEqualTo(100_002);
    }

    private long smembersCalls() {
        for (String line : cli.info("commandstats").split("\r\n")) {
            if (line.startsWith("cmdstat_smembers:")) return Long.parseLong(line.replaceAll(".*calls=(\\d+).*", "$1"));
        }
        return 0;
    }

    private BlockingQueue<String> subscribe(String channel) {
        BlockingQueue<String> received = new LinkedBlockingQueue<>();
        RedisClient client = RedisClient.create(redis.uri());
        StatefulRedisPubSubConnection<String, String> pubsub = client.connectPubSub();
        pubsub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String ch, String message) {
                received.add(message);
            }
        });
        pubsub.sync().subscribe(channel);
        nodesCloseLater(pubsub, client);
        return received;
    }

    private void nodesCloseLater(StatefulRedisPubSubConnection<String, String> pubsub, RedisClient client) {
        closeables.add(pubsub);
        closeables.add(client::shutdown);
    }

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void closeSubscribers() throws Exception {
        for (AutoCloseable c : closeables) c.close();
    }
}
