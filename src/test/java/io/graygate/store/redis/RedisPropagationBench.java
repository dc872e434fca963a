package io.graygate.store.redis;

import io.graygate.rules.RuleBook;
import io.graygate.rules.RuleChange;
import io.graygate.store.RuleStores;
import io.graygate.routing.ip.IpEntry;
import io.graygate.testing.GatewayProcess;
import io.graygate.testing.RawHttpClient;
import io.graygate.testing.RedisProcess;
import io.graygate.testing.TestUpstream;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * How long a rule change takes to be in force on every node of one Redis, on a redis-server started here. Two
 * modes:
 * <ul>
 *   <li>{@code nodes N}: three rule books on the Redis store in this JVM (each with its own Lettuce client and sync
 *       thread); node 1 applies a change, the clock stops when all three snapshots decide by it;</li>
 *   <li>{@code gateways N}: three graygate processes ({@code graygate serve}, child JVMs) and two upstreams; each change
 *       goes through the admin API of the next node in turn, the clock stops when a request through every node's
 *       proxy lands on the new side.</li>
 * </ul>
 * Run:
 * <pre>
 * mvn -B -q test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.graygate.store.redis.RedisPropagationBench -Dexec.args="gateways 500"
 * </pre>
 */
public final class RedisPropagationBench {

    private RedisPropagationBench() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "gateways";
        int changes = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        Path dir = Files.createTempDirectory("graygate-bench-");
        try (RedisProcess redis = RedisProcess.start()) {
            switch (mode) {
                case "nodes" -> nodes(redis, dir, changes);
                case "gateways" -> gateways(redis, dir, changes);
                default -> throw new IllegalArgumentException("mode: nodes or gateways, got " + mode);
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void nodes(RedisProcess redis, Path dir, int changes) {
        try (RedisNodes nodes = new RedisNodes(dir)) {
            RuleBook[] books = {nodes.node(redis.uri()), nodes.node(redis.uri()), nodes.node(redis.uri())};
            Latencies applied = new Latencies(), everywhere = new Latencies();
            for (int i = 0; i < changes + 50; i++) {
                String ip = "10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255);
                long start = System.nanoTime();
                books[0].apply("web", RuleChange.addToSet("whitelist", List.of(IpEntry.parse(ip))), "test");
                long appliedAt = System.nanoTime();
                for (RuleBook book : books) {
                    while (!RedisNodes.decide(book, "web", ip).version().equals("gray")) LockSupport.parkNanos(20_000);
                }
                long done = System.nanoTime();
                if (i >= 50) { // the first fifty warm the JIT and the connections
                    applied.add(appliedAt - start);
                    everywhere.add(done - start);
                }
            }
            System.out.println("changes: " + changes + " (3 rule books in one JVM, one redis-server, pub/sub)");
            System.out.println("write acknowledged on node 1: " + applied.summary());
            System.out.println("in force on all 3 nodes:      " + everywhere.summary());
        }
    }

    private static void gateways(RedisProcess redis, Path dir, int changes) throws Exception {
        List<GatewayProcess> gateways = new ArrayList<>();
        try (TestUpstream production = TestUpstream.start("production"); TestUpstream gray = TestUpstream.start("gray")) {
            for (int i = 1; i <= 3; i++) {
                String name = "node" + i;
                gateways.add(GatewayProcess.start(dir, name, gatewayConfig(redis, dir, name, production, gray)));
            }
            Latencies adminCalls = new Latencies(), afterAnswer = new Latencies();
            Latencies everywhere = measureGateways(gateways, changes, 50, adminCalls, afterAnswer);
            System.out.println("changes: " + changes + " (3 graygate processes, one redis-server, changes through the admin API in turn)");
            System.out.println("admin call answered:                     " + adminCalls.summary());
            System.out.println("admin answer to in force on all 3:       " + afterAnswer.summary());
            System.out.println("admin call to in force on all 3 proxies: " + everywhere.summary());
        } finally {
            for (GatewayProcess g : gateways) g.close();
        }
    }

    /** A node's configuration: route "web" on the two upstreams, free ports, its own snapshot file. */
    static String gatewayConfig(RedisProcess redis, Path dir, String name, TestUpstream production, TestUpstream gray) {
        return gatewayConfig("redis://127.0.0.1:" + redis.port() + "/0?snapshot=" + dir.resolve(name + "-snapshot.json"), production, gray);
    }

    /** A configuration on this store: route "web" on the two upstreams, free ports. */
    static String gatewayConfig(String store, TestUpstream production, TestUpstream gray) {
        return """
                listen: 127.0.0.1:0
                admin: {listen: 127.0.0.1:0}
                store: "%s"
                upstreams:
                  production: {servers: ["%s"]}
                  gray: {servers: ["%s"]}
                routes:
                  - {name: web, pathPrefix: /, stable: production, gray: gray}
                proxy: {accessLog: false}
                """.formatted(store, production.hostPort(), gray.hostPort());
    }

    /**
     * Through gateway processes: each change adds or removes 127.0.0.1 (the client address the proxies see) through the
     * admin API of the next node in turn; the clock stops when a request to every node's proxy lands on the new side.
     */
    static Latencies measureGateways(List<GatewayProcess> gateways, int changes, int warmUp) throws Exception {
        return measureGateways(gateways, changes, warmUp, new Latencies(), new Latencies());
    }

    /**
     * As above; {@code adminCalls} receives how long each admin call took to answer, {@code afterAnswer} how long after
     * that answer the change was in force on every proxy.
     */
    static Latencies measureGateways(List<GatewayProcess> gateways, int changes, int warmUp, Latencies adminCalls,
                                     Latencies afterAnswer) throws Exception {
        Latencies latencies = new Latencies();
        // One kept-alive socket per proxy: a poll costs one request's round trip, little more.
        List<RawHttpClient> clients = new ArrayList<>();
        try {
            for (GatewayProcess g : gateways) clients.add(RawHttpClient.connect(g.proxyAddress()));
            for (int i = 0; i < changes + warmUp; i++) {
                boolean toGray = i % 2 == 0;
                String expected = toGray ? "gray" : "production";
                GatewayProcess writer = gateways.get(i % gateways.size());
                long start = System.nanoTime();
                var answer = writer.admin(toGray ? "POST" : "DELETE", "/api/routes/web/whitelist", "{\"entries\": [\"127.0.0.1\"]}");
                long answered = System.nanoTime();
                if (answer.statusCode() != 200) {
                    throw new IllegalStateException(writer.name() + " refused a change: " + answer.statusCode() + " " + answer.body());
                }
                for (RawHttpClient client : clients) {
                    while (!client.get("/", "bench").read().bodyText().equals(expected)) {
                        LockSupport.parkNanos(50_000);
                    }
                }
                long done = System.nanoTime();
                if (i >= warmUp) {
                    latencies.add(done - start);
                    adminCalls.add(answered - start);
                    afterAnswer.add(done - answered);
                }
            }
        } finally {
            for (RawHttpClient c : clients) c.close();
        }
        return latencies;
    }

    /** Nanosecond samples, summarised as p50 / p99 / max in milliseconds. */
    static final class Latencies {
        private final List<Long> samples = new ArrayList<>();

        void add(long nanos) {
            samples.add(nanos);
        }

        double percentileMillis(double p) {
            long[] sorted = samples.stream().mapToLong(Long::longValue).toArray();
            Arrays.sort(sorted);
            int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
        }

        String summary() {
            return String.format("p50 %.2f ms, p99 %.2f ms, max %.2f ms (%d samples)",
                    percentileMillis(50), percentileMillis(99), percentileMillis(100), samples.size());
        }
    }
}
