package io.graygate.store.redis;

import io.graygate.store.RouteState;
import io.graygate.store.StateCodec;
import io.lettuce.core.RedisException;
import io.lettuce.core.api.async.RedisAsyncCommands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps this node's states in step with Redis, on one thread of its own: (1) pub/sub change notices, applied as
 * deltas when they are the next revision, (2) a revision check every second that catches anything missed, (3) a full
 * reload on every reconnect. Where Redis is behind what this node has in force (a failover to a replica that missed
 * writes, a restore from an old backup), it writes this node's newer state back (compare-and-set) rather than step
 * back; where Redis lost a route, it writes it back too. It also owns the store's health: connected or not, since
 * when and why, and reconnects every {@value #RETRY_MILLIS} ms while Redis is away.
 */
final class RedisSync implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisSync.class);
    static final long RETRY_MILLIS = 250;
    private static final long CHECK_MILLIS = 1000;

    private final RedisStoreUri uri;
    private final RedisLink link;
    private final RedisLayout layout;
    private final KnownStates known;
    private final SeedKeyWatcher keys;
    private final Rejections rejections;
    private final LastKnownGood lastKnownGood;
    private final ScheduledExecutorService thread;
    private Map<String, RouteState> seeds = Map.of();
    private long lastCheckNanos;
    private String lastProblem;

    private volatile boolean connected;
    private volatile boolean closed;
    private volatile Instant lastSync;
    private volatile Instant downSince;
    private volatile String downReason = "not connected yet";
    private volatile String rulesFrom = "redis";

    RedisSync(RedisStoreUri uri, RedisLink link, RedisLayout layout, KnownStates known, SeedKeyWatcher keys, Rejections rejections,
              LastKnownGood lastKnownGood) {
        this.uri = uri;
        this.link = link;
        this.layout = layout;
        this.known = known;
        this.keys = keys;
        this.rejections = rejections;
        this.lastKnownGood = lastKnownGood;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "graygate-redis-sync");
            t.setDaemon(true);
            return t;
        });
    }

    /** Loads every route (seeding or migrating it first), on the sync thread; then starts the ticks. */
    Map<String, RouteState> open(Map<String, RouteState> seed) {
        this.seeds = Map.copyOf(seed);
        try {
            thread.submit(() -> {
                start(seed);
                known.startTelling(); // on this thread: every change taken in after opening is told, none before
            }).get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while opening the Redis store", e);
        }
        thread.scheduleWithFixedDelay(this::tick, RETRY_MILLIS, RETRY_MILLIS, TimeUnit.MILLISECONDS);
        return known.all();
    }

    private void start(Map<String, RouteState> seed) {
        try {
            connect();
            RedisAsyncCommands<String, String> redis = link.commands();
            for (Map.Entry<String, RouteState> e : seed.entrySet()) {
                String route = e.getKey();
                RouteState mine = e.getValue().withKeySets(keys.startingSets(route, null));
                if (layout.seedIfAbsent(redis, route, mine)) log.info("route {} seeded in Redis from the configuration", route);
                RouteState inRedis = read(redis, route, mine);
                known.start(route, inRedis != null ? inRedis : mine); // deleted meanwhile: the revision check writes it back
            }
            keys.reloadAll(redis);
            connected = true;
            lastSync = Instant.now();
            lastCheckNanos = System.nanoTime();
            log.info("rules loaded from Redis at {} ({}){}", uri, seed.size() == 1 ? "1 route" : seed.size() + " routes", keys.summary());
            known.saveSnapshot();
        } catch (RedisException e) {
            link.disconnect();
            startWithoutRedis(seed, describe(e));
        }
    }

    private void startWithoutRedis(Map<String, RouteState> seed, String reason) {
        Optional<LastKnownGood.Saved> saved = lastKnownGood.read(seed);
        for (Map.Entry<String, RouteState> e : seed.entrySet()) {
            String route = e.getKey();
            RouteState s = saved.map(x -> x.routes().get(route)).orElse(null);
            RouteState from = s != null ? s : e.getValue();
            known.start(route, from.withKeySets(keys.startingSets(route, s == null ? null : s.keySets())));
        }
        rulesFrom = saved.map(s -> "disk snapshot " + lastKnownGood.file() + " (saved " + s.savedAt() + ")").orElse("configuration");
        connected = false;
        downSince = Instant.now();
        downReason = reason;
        log.warn("Redis at {} is unreachable ({}); serving the rules from the {}; retrying every {} ms", uri, reason, rulesFrom, RETRY_MILLIS);
    }

    /** Seeds a route added after opening (a configuration reload), on the sync thread. */
    RouteState seed(String route, RouteState seed) {
        try {
            return thread.submit(() -> {
                RouteState mine = seed.withKeySets(keys.startingSets(route, null));
                known.add(route, mine);
                if (!connected) return known.get(route);
                RedisAsyncCommands<String, String> redis = link.commands();
                if (layout.seedIfAbsent(redis, route, mine)) log.info("route {} seeded in Redis from the configuration", route);
                RouteState inRedis = read(redis, route, mine);
                if (inRedis != null) known.offer(route, inRedis);
                return known.get(route);
            }).get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while seeding route " + route, e);
        }
    }

    /**
     * Reads a route from Redis, migrating it first when it is still in graygate's first layout; null when Redis does
     * not hold it. {@code mine} gives the key sets (this node reads those itself).
     */
    private RouteState read(RedisAsyncCommands<String, String> redis, String route, RouteState mine) {
        RedisLayout.Loaded loaded = layout.load(redis, route, mine.keySets());
        if (loaded == null) return null;
        rejections.warn("route " + route + " IP sets in Redis", loaded.rejected());
        if (loaded.state() != null) return loaded.state();
        StateCodec.Legacy legacy = loaded.legacy();
        RouteState migrated = StateCodec.migrate(seeds.get(route), legacy, null).withKeySets(mine.keySets());
        if (layout.migrate(redis, route, migrated, legacy.version()) == 1) {
            log.info("route {} migrated in Redis from graygate's first layout (version {}, mode {}, previous mode {}, whitelist {} entries)", route,
                    legacy.version(), legacy.mode(), legacy.previousMode() == null ? "none" : legacy.previousMode(), legacy.whitelist().size());
        }
        RedisLayout.Loaded again = layout.load(redis, route, mine.keySets());
        return again == null ? null : again.state();
    }

    // ---- the thread's ticks and messages ----

    /** Every 250 ms: reconnect while Redis is down; while it is up, compare revisions once a second and poll keys. */
    private void tick() {
        if (closed) return;
        try {
            if (!connected) {
                reconnect();
            } else if (!link.isOpen()) {
                markDown("the connection was closed");
            } else {
                RedisAsyncCommands<String, String> redis = link.commands();
                if (System.nanoTime() - lastCheckNanos >= TimeUnit.MILLISECONDS.toNanos(CHECK_MILLIS - RETRY_MILLIS / 2)) revisionCheck(redis);
                keys.poll(redis);
            }
        } catch (RedisException e) {
            markDown(describe(e));
        } catch (RuntimeException e) {
            problem("cannot read the rules from Redis: " + e);
        }
    }

    /** Asks for a revision check on the next tick, now. */
    void checkSoon() {
        lastCheckNanos = 0;
        execute(this::tick);
    }

    /** A demoted primary (READONLY): reconnecting asks the sentinels for the new one. */
    void reconnectSoon(String reason) {
        execute(() -> {
            markDown(reason);
            tick();
        });
    }

    private void reconnect() {
        try {
            connect();
            RedisAsyncCommands<String, String> redis = link.commands();
            for (String route : known.routes()) {
                RouteState mine = known.get(route);
                if (layout.seedIfAbsent(redis, route, mine)) {
                    log.info("route {} was missing from Redis; written back from this node's rules (revision {})", route, mine.revision());
                }
                syncRoute(redis, route);
            }
            keys.reloadAll(redis);
        } catch (RedisException e) {
            link.disconnect();
            downReason = describe(e);
            return;
        }
        connected = true;
        lastSync = Instant.now();
        lastCheckNanos = System.nanoTime();
        rulesFrom = "redis";
        double seconds = downSince == null ? 0 : Duration.between(downSince, Instant.now()).toMillis() / 1000.0;
        log.info("Redis at {} is reachable again after {} s; rules resynced", uri, String.format("%.1f", seconds));
        downSince = null;
    }

    private void markDown(String reason) {
        link.disconnect();
        if (!connected) return;
        connected = false;
        downSince = Instant.now();
        downReason = reason;
        log.warn("Redis at {} is unreachable ({}); serving the last rules, writes are refused; retrying every {} ms", uri, reason, RETRY_MILLIS);
    }

    private void revisionCheck(RedisAsyncCommands<String, String> redis) {
        Map<String, Long> revisions = layout.revisions(redis, known.routes());
        for (Map.Entry<String, Long> e : revisions.entrySet()) {
            String route = e.getKey();
            RouteState mine = known.get(route);
            long inRedis = e.getValue();
            if (inRedis == RedisLayout.MISSING) {
                if (layout.seedIfAbsent(redis, route, mine)) {
                    log.warn("route {} was missing from Redis; written back from this node's rules (revision {})", route, mine.revision());
                }
            } else if (inRedis != mine.revision()) {
                syncRoute(redis, route);
            }
        }
        lastCheckNanos = System.nanoTime();
        lastSync = Instant.now();
    }

    /**
     * Takes in Redis's state of a route when it is newer than this node's; when it is older, writes this node's back
     * (compare-and-set on Redis's revision), so that no node steps back to an older revision.
     */
    private void syncRoute(RedisAsyncCommands<String, String> redis, String route) {
        RouteState mine = known.get(route);
        RouteState inRedis = read(redis, route, mine);
        if (inRedis == null) return; // deleted meanwhile: the next check writes it back
        if (inRedis.revision() < mine.revision()) {
            long wrote = layout.writeBack(redis, route, mine, inRedis.revision());
            if (wrote == 1) {
                log.warn("route {}: Redis holds revision {}, older than this node's {} (a failover to a replica that missed writes, or "
                        + "a restore?); wrote this node's revision {} back", route, inRedis.revision(), mine.revision(), mine.revision());
            }
            return; // changed meanwhile otherwise: the next check reads it again
        }
        if (inRedis.isNewerThan(mine)) known.offer(route, inRedis);
    }

    private volatile String lastSwitch;

    /** A message on a Lettuce thread: handed over to this one. */
    void onMessage(String channel, String message) {
        if (channel.equals(RedisLink.SWITCH_MASTER)) {
            if (message.equals(lastSwitch)) return; // every sentinel announces the same switch
            lastSwitch = message;
            log.info("Sentinel promoted a new primary ({}); reconnecting to it", message);
            reconnectSoon("Sentinel switched the primary: " + message);
        } else if (channel.equals(layout.channel())) execute(() -> onNotice(message));
        else execute(() -> onKeyEvent(channel.substring(channel.indexOf("__:") + 3)));
    }

    private void onNotice(String message) {
        Optional<RedisChangeNotice> decoded = RedisChangeNotice.decode(message);
        if (decoded.isEmpty() || closed || !connected) return;
        RedisChangeNotice notice = decoded.get();
        RouteState mine = known.get(notice.route());
        if (mine == null || notice.revision() <= mine.revision()) return;
        try {
            if (notice.delta().isPresent() && notice.delta().get().from() == mine.revision()) {
                known.offer(notice.route(), notice.delta().get().applyTo(mine));
            } else {
                syncRoute(link.commands(), notice.route());
            }
        } catch (RedisException e) {
            markDown(describe(e));
        } catch (RuntimeException e) {
            problem("cannot take in the change \"" + message + "\": " + e);
        }
    }

    private void onKeyEvent(String key) {
        if (closed || !connected) return;
        try {
            keys.reload(link.commands(), key);
        } catch (RedisException e) {
            markDown(describe(e));
        }
    }

    private void connect() {
        List<String> channels = new ArrayList<>();
        channels.add(layout.channel());
        for (String key : keys.keys()) channels.add(RedisLayout.keyspaceChannel(uri.database(), key));
        link.connect(channels, this::onMessage);
    }

    private void execute(Runnable task) {
        try {
            thread.execute(task);
        } catch (RejectedExecutionException e) {
            // closing: nothing more to take in
        }
    }

    private void problem(String message) {
        if (message.equals(lastProblem)) return;
        lastProblem = message;
        log.warn(message);
    }

    // ---- health ----

    boolean connected() {
        return connected && !closed;
    }

    String downReason() {
        return downReason;
    }

    Instant lastSync() {
        return lastSync;
    }

    Instant downSince() {
        return downSince;
    }

    String rulesFrom() {
        return rulesFrom;
    }

    boolean closed() {
        return closed;
    }

    static String describe(Throwable e) {
        String message = e.getMessage();
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        if (root != e && root.getMessage() != null && (message == null || !message.contains(root.getMessage()))) {
            return (message == null ? "" : message + ": ") + root.getMessage();
        }
        return message == null ? e.getClass().getSimpleName() : message;
    }

    @Override
    public void close() {
        closed = true;
        thread.shutdown();
        try {
            if (!thread.awaitTermination(5, TimeUnit.SECONDS)) thread.shutdownNow();
        } catch (InterruptedException e) {
            thread.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** The states this node holds, for tests and status. */
    Map<String, RouteState> states() {
        return new LinkedHashMap<>(known.all());
    }
}
