package io.graygate.rules;

import io.graygate.routing.IpEntry;
import io.graygate.routing.Mode;
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

import static io.graygate.rules.RedisNodes.decide;
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

        assertThat(cli.hgetall("graygate:route:web")).isEqualTo(Map.of("mode", "gray", "version", "1"));
        assertThat(cli.smembers("graygate:route:web:whitelist")).containsExactly("10.0.0.1");
        assertThat(node.rules("web").version()).isEqualTo(1);
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
    void aLaterStartTakesTheRulesInRedisNotTheConfiguration() {
        cli.hset("graygate:route:web", Map.of("mode", "all-gray", "previousMode", "gray", "version", "7"));
        cli.sadd("graygate:route:web:whitelist", "192.168.2.0/24");

        RuleBook node = nodes.node(redis.uri());

        RouteRules web = node.rules("web");
        assertThat(web.version()).isEqualTo(7);
        assertThat(web.mode()).isEqualTo(Mode.ALL_GRAY);
        assertThat(web.previousMode()).isEqualTo(Mode.GRAY);
        assertThat(web.whitelist().toStrings()).containsExactly("192.168.2.0/24");
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
            for (Future<RuleBook> f : started) assertThat(f.get(20, TimeUnit.SECONDS).rules("web").version()).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(cli.hget("graygate:route:web", "version")).isEqualTo("1");
    }

    @Test
    void aWriteChangesTheDataBumpsTheVersionAndPublishesANotice() throws Exception {
        RuleBook node = nodes.node(redis.uri());
        BlockingQueue<String> notices = subscribe("graygate:changes");

        RouteRules after = node.apply("web", RuleChange.addToWhitelist(List.of(IpEntry.parse("10.9.0.0/16"))));

        assertThat(after.version()).isEqualTo(2);
        assertThat(cli.hget("graygate:route:web", "version")).isEqualTo("2");
        assertThat(cli.smembers("graygate:route:web:whitelist")).containsExactlyInAnyOrder("10.0.0.1", "10.9.0.0/16");
        assertThat(notices.poll(2, TimeUnit.SECONDS)).isEqualTo("web 2 add 10.9.0.0/16");
        assertThat(decide(node, "web", "10.9.3.4").version()).isEqualTo("gray");

        node.apply("web", RuleChange.switchToGray());
        assertThat(cli.hgetall("graygate:route:web")).isEqualTo(Map.of("mode", "all-gray", "previousMode", "gray", "version", "3"));
        assertThat(notices.poll(2, TimeUnit.SECONDS)).isEqualTo("web 3 mode all-gray");

        node.apply("web", RuleChange.rollback());
        assertThat(cli.hgetall("graygate:route:web")).isEqualTo(Map.of("mode", "gray", "version", "4"));
        assertThat(notices.poll(2, TimeUnit.SECONDS)).isEqualTo("web 4 rollback");

        node.apply("web", RuleChange.removeFromWhitelist(List.of(IpEntry.parse("10.0.0.1"))));
        assertThat(cli.smembers("graygate:route:web:whitelist")).containsExactly("10.9.0.0/16");
        assertThat(notices.poll(2, TimeUnit.SECONDS)).isEqualTo("web 5 remove 10.0.0.1");
    }

    @Test
    void aChangeOnOneNodeReachesTheOtherThroughPubSubWellWithinTheCheckPeriod() {
        RuleBook a = nodes.node(redis.uri());
        RuleBook b = nodes.node(redis.uri());

        // With the one-second version check alone, twenty changes could not all land within 200 ms.
        for (int i = 1; i <= 20; i++) {
            String ip = "10.1.0." + i;
            a.apply("web", RuleChange.addToWhitelist(List.of(IpEntry.parse(ip))));
            Polling.await(ip + " on node b", Duration.ofMillis(200), () -> decide(b, "web", ip).version().equals("gray"));
        }
        assertThat(b.rules("web").version()).isEqualTo(21);
    }

    @Test
    void aChangeWrittenWithoutANoticeIsCaughtByTheVersionCheck() {
        RuleBook node = nodes.node(redis.uri());

        // What a notice lost on the way looks like: data and version changed, nothing published.
        cli.sadd("graygate:route:web:whitelist", "172.16.0.9");
        cli.hincrby("graygate:route:web", "version", 1);

        // The check runs about once a second.
        Polling.await("the change without a notice", Duration.ofMillis(1500),
                () -> decide(node, "web", "172.16.0.9").version().equals("gray"));
        assertThat(node.rules("web").version()).isEqualTo(2);
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
                        RedisNodes.eventuallyWorks(Duration.ofSeconds(5), () -> node.apply("web", RuleChange.addToWhitelist(List.of(ip))));
                    }
                    return null;
                }));
            }
            for (Future<?> w : writers) w.get(30, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertThat(cli.scard("graygate:route:web:whitelist")).isEqualTo(61);
        assertThat(cli.hget("graygate:route:web", "version")).isEqualTo("61");
        Polling.await("both nodes at version 61", Duration.ofSeconds(2),
                () -> a.rules("web").version() == 61 && b.rules("web").version() == 61);
        assertThat(a.rules("web").whitelist().size()).isEqualTo(61);
        assertThat(b.rules("web").whitelist().size()).isEqualTo(61);
    }

    @Test
    void aOneEntryAddToALargeWhitelistTravelsAsADeltaWithoutReadingTheListBack() {
        List<IpEntry> big = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) big.add(IpEntry.parse("11." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255)));
        RuleBook a = nodes.node(redis.uri());
        RuleBook b = nodes.node(redis.uri());
        a.apply("web", RuleChange.addToWhitelist(big));
        Polling.await("the big list on node b", Duration.ofSeconds(10), () -> b.rules("web").whitelist().size() == 100_001);
        long readsBefore = smembersCalls();

        a.apply("web", RuleChange.addToWhitelist(List.of(IpEntry.parse("12.0.0.1"))));

        Polling.await("the one entry on node b", Duration.ofSeconds(1), () -> decide(b, "web", "12.0.0.1").version().equals("gray"));
        assertThat(smembersCalls()).isEqualTo(readsBefore);
        assertThat(b.rules("web").whitelist().size()).isEqualTo(100_002);
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
