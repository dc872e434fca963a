package io.graygate.store.redis;
import io.graygate.routing.ip.IpEntry;
import io.graygate.rules.RuleBook;
import io.graygate.rules.RuleChange;
import io.graygate.store.StoreUnavailableException;
import io.graygate.testing.Polling;
import io.graygate.testing.RedisProcess;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A whitelist add every 200 ms through one of two nodes while Sentinel moves the primary, by {@code SENTINEL
 * FAILOVER} or because the primary was killed with SIGKILL: every add answered as made must be in the promoted
 * primary and in force on both nodes afterwards. The counts are printed ("FAILOVER ...") for the README.
 */
class RedisFailoverKeepsAcknowledgedWritesTest {

    private static final String MASTER = "gg-primary";

    @TempDir
    Path dir;
    private final List<RedisProcess> processes = new ArrayList<>();
    private RedisNodes nodes;
    private RedisProcess primary;
    private RedisProcess replica;
    private List<RedisProcess> sentinels;

    @BeforeEach
    void setUp() {
        nodes = new RedisNodes(dir);
        primary = track(RedisProcess.start());
        replica = track(RedisProcess.startReplicaOf(primary));
        Polling.await("the replica in sync", Duration.ofSeconds(10),
                () -> nodes.plainClient(replica).info("replication").contains("master_link_status:up"));
        sentinels = List.of(
                track(RedisProcess.startSentinel(MASTER, primary, 2, null)),
                track(RedisProcess.startSentinel(MASTER, primary, 2, null)),
                track(RedisProcess.startSentinel(MASTER, primary, 2, null)));
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
    void aSentinelFailoverLosesNoAcknowledgedWrite() {
        losesNoAcknowledgedWrite("SENTINEL FAILOVER", () -> sentinel(sentinels.get(0), c -> c.sync().failover(MASTER)));
    }

    @Test
    void killingThePrimaryLosesNoAcknowledgedWrite() {
        losesNoAcknowledgedWrite("kill -9 of the primary", primary::kill);
    }

    private void losesNoAcknowledgedWrite(String how, Runnable failover) {
        String uri = "redis-sentinel://" + sentinels.stream().map(s -> "127.0.0.1:" + s.port()).collect(Collectors.joining(","))
                + "/0?masterName=" + MASTER + "&timeout=500ms";
        RuleBook a = nodes.open(RedisNodes.config(nodes.storeUri(uri, "a")));
        RuleBook b = nodes.open(RedisNodes.config(nodes.storeUri(uri, "b")));

        List<String> acknowledged = new CopyOnWriteArrayList<>();
        // Checked the moment each add is answered: is it on the replica that Sentinel promotes? One that is not was
        // held by a primary alone, and survives only if a node that has it in force writes it back later.
        RedisClient replicaClient = RedisClient.create(replica.uri()); // reconnects: the promotion drops its clients
        io.lettuce.core.api.StatefulRedisConnection<String, String> toBePromoted = replicaClient.connect();
        List<String> onlyOnThePrimary = new CopyOnWriteArrayList<>();
        AtomicInteger sent = new AtomicInteger();
        AtomicInteger acknowledgedAfterPromotion = new AtomicInteger();
        AtomicBoolean promoted = new AtomicBoolean();
        AtomicBoolean writing = new AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicReference<RuntimeException> writerFailure = new java.util.concurrent.atomic.AtomicReference<>();
        Thread writer = new Thread(() -> {
            while (writing.get()) {
                int i = sent.getAndIncrement();
                String entry = "10.77." + (i / 256) + "." + (i % 256);
                try {
                    a.apply("web", RuleChange.addToSet("whitelist", List.of(IpEntry.parse(entry))), "test");
                    acknowledged.add(entry);
                    if (!RedisNodes.eventuallyWorks(Duration.ofSeconds(5),
                            () -> toBePromoted.sync().sismember("graygate:route:web:set:whitelist", entry))) onlyOnThePrimary.add(entry);
                    if (promoted.get()) acknowledgedAfterPromotion.incrementAndGet();
                } catch (StoreUnavailableException refused) {
                    // not acknowledged: whether it survives does not count
                } catch (RuntimeException e) {
                    writerFailure.compareAndSet(null, e);
                }
                LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
            }
        }, "writer");
        writer.start();
        try {
            Polling.await("ten acknowledged adds", Duration.ofSeconds(10), () -> acknowledged.size() >= 10);
            failover.run();
            Polling.await("the replica promoted", Duration.ofSeconds(30), () -> isPrimary(replica));
            promoted.set(true);
            Polling.await("ten acknowledged adds on the promoted replica", Duration.ofSeconds(30),
                    () -> acknowledgedAfterPromotion.get() >= 10 || writerFailure.get() != null);
        } finally {
            writing.set(false);
            try {
                writer.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            toBePromoted.close();
            replicaClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }

        assertThat(writerFailure.get()).as("the writer's unexpected failure").isNull();
        RedisCommands<String, String> promotedPrimary = nodes.plainClient(replica);
        long revision = Long.parseLong(promotedPrimary.hget("graygate:route:web", "revision"));
        Polling.await("both nodes at the promoted primary's revision", Duration.ofSeconds(10),
                () -> a.state("web").revision() == Long.parseLong(promotedPrimary.hget("graygate:route:web", "revision"))
                        && b.state("web").revision() == a.state("web").revision());
        Set<String> inRedis = promotedPrimary.smembers("graygate:route:web:set:whitelist");
        List<String> lostInRedis = acknowledged.stream().filter(e -> !inRedis.contains(e)).toList();
        List<String> lostOnB = acknowledged.stream().filter(e -> !b.state("web").ipSets().get("whitelist").toStrings().contains(e)).toList();
        System.out.println("FAILOVER " + how + ": adds " + sent.get() + ", acknowledged " + acknowledged.size()
                + ", acknowledged while not on the replica promoted " + onlyOnThePrimary.size() + ", lost " + lostInRedis.size()
                + " (revision " + revision + " on the promoted primary when the writes stopped)");
        assertThat(onlyOnThePrimary).as("acknowledged adds that only the primary had").isEmpty();
        assertThat(lostInRedis).as("acknowledged adds missing from the promoted primary").isEmpty();
        assertThat(lostOnB).as("acknowledged adds not in force on the other node").isEmpty();
    }

    private boolean isPrimary(RedisProcess p) {
        try {
            return nodes.plainClient(p).info("replication").contains("role:master");
        } catch (RuntimeException e) {
            return false;
        }
    }

    private RedisProcess track(RedisProcess p) {
        processes.add(p);
        return p;
    }

    private static <T> T sentinel(RedisProcess s, Function<StatefulRedisSentinelConnection<String, String>, T> call) {
        RedisClient client = RedisClient.create();
        try (StatefulRedisSentinelConnection<String, String> c = client.connectSentinel(RedisURI.create("redis://127.0.0.1:" + s.port()))) {
            return call.apply(c);
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }
}
