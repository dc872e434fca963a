package io.graygate.store.redis;

import io.graygate.admin.AdminServer;
import io.graygate.config.GatewayConfig;
import io.graygate.config.HostPort;
import io.graygate.rules.RuleBook;
import io.graygate.store.StoreStatus;
import io.graygate.testing.Polling;
import io.graygate.testing.RedisProcess;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
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
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static io.graygate.store.redis.RedisNodes.decide;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A million-entry whitelist, on the store's default 1 s timeout: read whole into a fresh node from Redis, and
 * written in one admin call. The times are printed for the README ("LARGE WHITELIST ...").
 *
 * <p>Redis runs one command at a time, so one command that takes seconds (SMEMBERS of a million members inside a
 * script, a script given a million arguments) makes every other node's small command time out, and those nodes
 * go degraded. Redis's own SLOWLOG, set to record anything over 250 ms (a quarter of that timeout; the old single
 * commands took 300 ms to 2 s), must stay empty.
 */
class RedisLargeWhitelistTest {

    private static final int MILLION = 1_000_000;
    private static RedisProcess redis;

    @TempDir
    Path dir;
    private RedisNodes nodes;

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
        cli.flushall();
        cli.configSet("slowlog-log-slower-than", "250000"); // microseconds
        cli.slowlogReset();
    }

    private io.lettuce.core.api.sync.RedisCommands<String, String> cli;

    /** Commands that held Redis for more than 250 ms since the last reset, as "NAME (N ms)". */
    private List<String> slowCommands() {
        List<String> out = new ArrayList<>();
        for (Object entry : cli.slowlogGet(128)) {
            List<?> e = (List<?>) entry;
            List<?> args = (List<?>) e.get(3);
            out.add(args.get(0) + (args.size() > 1 ? " " + args.get(1) : "") + " (" + ((Long) e.get(2)) / 1000 + " ms)");
        }
        return out;
    }

    @AfterEach
    void tearDown() {
        nodes.close();
    }

    /** 11.0.0.0 onwards, one address per entry: "11.a.b.c". */
    private static String address(int i) {
        int v = 0x0B000000 + i;
        return (v >>> 24) + "." + ((v >>> 16) & 0xFF) + "." + ((v >>> 8) & 0xFF) + "." + (v & 0xFF);
    }

    @Test
    void aMillionEntryWhitelistInRedisLoadsIntoAFreshNode() {
        RuleBook first = nodes.node(redis.uri()); // writes route "web" to Redis
        first.close();
        String key = "graygate:route:web:set:whitelist";
        RedisClient client = RedisClient.create(redis.uri());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            c.setAutoFlushCommands(false);
            RedisAsyncCommands<String, String> async = c.async();
            List<RedisFuture<Long>> sent = new ArrayList<>();
            for (int i = 0; i < MILLION; i += 10_000) {
                String[] batch = new String[10_000];
                for (int j = 0; j < batch.length; j++) batch[j] = address(i + j);
                sent.add(async.sadd(key, batch));
            }
            c.flushCommands();
            assertThat(LettuceFutures.awaitAll(60, TimeUnit.SECONDS, sent.toArray(RedisFuture[]::new))).isTrue();
            c.setAutoFlushCommands(true);
            assertThat(c.sync().scard(key)).isEqualTo(MILLION + 1L);
        } finally {
            client.shutdown();
        }
        cli.slowlogReset(); // the test's own writes are not the node's

        // A node already running on the same Redis must stay connected while the fresh one reads the million
        // entries: one command that held Redis for seconds would time its small commands out.
        RuleBook running = nodes.node(redis.uri());
        AtomicBoolean watching = new AtomicBoolean(true);
        AtomicReference<String> runningWentDown = new AtomicReference<>();
        Thread watcher = new Thread(() -> {
            while (watching.get()) {
                StoreStatus s = running.store().status();
                if (!s.connected()) runningWentDown.compareAndSet(null, s.detail());
                LockSupport.parkNanos(5_000_000);
            }
        }, "watcher");
        watcher.start();
        long start = System.nanoTime();
        RuleBook fresh = nodes.node(redis.uri());
        long loadMillis = (System.nanoTime() - start) / 1_000_000;
        // Watched for two more of the running node's revision checks (one a second): one queued behind a long
        // command times out only when it comes round.
        Polling.await("two more revision checks", Duration.ofSeconds(5), () -> System.nanoTime() - start > Duration.ofMillis(loadMillis + 2_500).toNanos());
        watching.set(false);
        try {
            watcher.join();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
        assertThat(runningWentDown.get()).as("the running node lost Redis during the load").isNull();
        assertThat(slowCommands()).as("commands that held Redis over 250 ms").isEmpty();
        System.out.println("LARGE WHITELIST load of " + (MILLION + 1) + " entries into a fresh node: " + loadMillis + " ms");

        StoreStatus status = fresh.store().status();
        assertThat(status.connected()).as(status.detail()).isTrue();
        assertThat(status.rulesFrom()).isEqualTo("redis");
        assertThat(fresh.state("web").ipSets().get("whitelist").size()).isEqualTo(MILLION + 1);
        assertThat(decide(fresh, "web", address(MILLION - 1)).version()).isEqualTo("gray");
        assertThat(decide(fresh, "web", address(MILLION)).version()).isEqualTo("production");
    }

    @Test
    void aMillionEntryAddIsWrittenInOneAdminCall() throws Exception {
        GatewayConfig config = RedisNodes.config(nodes.storeUri(redis.uri(), "admin"));
        RuleBook node = nodes.open(config);
        StringBuilder body = new StringBuilder(16 * MILLION).append("{\"entries\": [");
        for (int i = 0; i < MILLION; i++) body.append(i == 0 ? "\"" : ", \"").append(address(i)).append('"');
        body.append("]}");
        System.out.println("LARGE WHITELIST admin body: " + body.length() + " bytes");
        try (AdminServer admin = new AdminServer(config.withAdminListen(new HostPort("127.0.0.1", 0)), node).start()) {
            HttpRequest post = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.address().getPort() + "/api/routes/web/whitelist"))
                    .timeout(Duration.ofMinutes(2))
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
            long start = System.nanoTime();
            HttpResponse<String> reply = HttpClient.newHttpClient().send(post, HttpResponse.BodyHandlers.ofString());
            long addMillis = (System.nanoTime() - start) / 1_000_000;
            System.out.println("LARGE WHITELIST admin add of " + MILLION + " entries in one call: " + addMillis + " ms");
            assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
        }
        assertThat(slowCommands()).as("commands that held Redis over 250 ms").isEmpty();
        assertThat(node.store().status().connected()).isTrue();
        assertThat(node.state("web").ipSets().get("whitelist").size()).isEqualTo(MILLION + 1);
        assertThat(nodes.plainClient(redis).scard("graygate:route:web:set:whitelist")).isEqualTo(MILLION + 1L);
        RuleBook other = nodes.node(redis.uri());
        assertThat(other.state("web").ipSets().get("whitelist").size()).isEqualTo(MILLION + 1);
    }
}
