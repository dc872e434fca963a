package io.graygate.store.redis;

import io.graygate.rules.RuleBook;
import io.graygate.rules.RuleChange;
import io.graygate.store.RuleStores;
import io.graygate.config.ConfigLoader;
import io.graygate.config.GatewayConfig;
import io.graygate.routing.Decision;
import io.graygate.testing.HeldRequest;
import io.graygate.testing.RedisProcess;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Test nodes on one Redis: rule books opened on a Redis store, a plain Lettuce client for changing Redis behind
 * graygate's back (as redis-cli would), and retrying an action with a deadline. Closes everything it opened.
 */
final class RedisNodes implements AutoCloseable {

    private final List<AutoCloseable> opened = new CopyOnWriteArrayList<>();
    private final Path dir;
    private final AtomicInteger count = new AtomicInteger();

    RedisNodes(Path dir) {
        this.dir = dir;
    }

    /** A configuration with route "web" (whitelist 10.0.0.1 in the config) and route "api" reading the key "gray". */
    static GatewayConfig config(String store) {
        return config(store, "");
    }

    /** As {@link #config(String)}, with {@code moreRoutes} (YAML list items) after its two. */
    static GatewayConfig config(String store, String moreRoutes) {
        return ConfigLoader.parse("""
                store: "%s"
                upstreams:
                  prod: {servers: ["127.0.0.1:9"]}
                  next: {servers: ["127.0.0.1:9"]}
                routes:
                  - {name: web, pathPrefix: /, stable: prod, gray: next, whitelist: ["10.0.0.1"]}
                  - {name: api, pathPrefix: /api, stable: prod, gray: next, whitelistKey: gray}
                """.formatted(store) + moreRoutes, Map.of());
    }

    /** The store URI for a node of its own: its own last-known-good file in the test's directory. */
    String storeUri(String redisUri, String node) {
        String separator = redisUri.contains("?") ? "&" : "?";
        return redisUri + separator + "snapshot=" + dir.resolve(node + "-snapshot.json");
    }

    /** Opens a new node (a rule book on the Redis store) with its own snapshot file. */
    RuleBook node(String redisUri) {
        return open(config(storeUri(redisUri, "node" + count.incrementAndGet())));
    }

    RuleBook open(GatewayConfig config) {
        RuleBook book = new RuleBook(config, RuleStores.forConfig(config));
        opened.add(book);
        return book.open();
    }

    /** A plain client, which publishes nothing: what an operator with redis-cli does. */
    RedisCommands<String, String> plainClient(RedisProcess redis) {
        RedisClient client = RedisClient.create(redis.uri());
        client.setOptions(ClientOptions.builder().autoReconnect(false).build()); // no reconnect noise after a test kills Redis
        StatefulRedisConnection<String, String> connection = client.connect();
        opened.add(client::shutdown);
        opened.add(connection);
        return connection.sync();
    }

    static Decision decide(RuleBook book, String route, String clientIp) {
        return book.snapshot().route(route).decide(HeldRequest.fromClient(clientIp));
    }


    /** Calls {@code action} until it stops throwing; fails with its last exception after the deadline. */
    static <T> T eventuallyWorks(Duration within, Supplier<T> action) {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            try {
                return action.get();
            } catch (RuntimeException e) {
                if (System.nanoTime() > deadline) throw new AssertionError("still failing after " + within.toMillis() + " ms", e);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted");
            }
        }
    }

    @Override
    public void close() {
        for (int i = opened.size() - 1; i >= 0; i--) {
            try {
                opened.get(i).close();
            } catch (Exception ignored) {
                // closing the rest matters more
            }
        }
    }
}
