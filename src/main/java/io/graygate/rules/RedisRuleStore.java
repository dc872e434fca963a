package io.graygate.rules;

import io.graygate.routing.IpSet;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The shared rule store: the rules of every route live in Redis ({@link RedisRules} has the layout), so that many
 * gateway nodes act as one. Requests never wait for Redis: the node serves its compiled snapshot, and one thread of
 * this store's own keeps that snapshot in step with Redis through (1) pub/sub change notices, (2) a version check
 * every second that catches anything missed, and (3) a full reload on every reconnect. Lettuce's callbacks only
 * hand work to that thread. While Redis is unreachable the node serves its last rules, refuses writes at once with
 * {@link StoreUnavailableException}, and keeps a last-known-good copy on disk so that it can even start.
 */
public final class RedisRuleStore implements RuleStore {

    private static final Logger log = LoggerFactory.getLogger(RedisRuleStore.class);
    private static final long RETRY_MILLIS = 250;
    private static final long CHECK_MILLIS = 1000;
    /** Whitelist keys without keyspace notifications: often enough that a redis-cli change lands within a second. */
    private static final long KEY_POLL_MILLIS = 500;

    private final RedisStoreUri uri;
    private final Map<String, String> keyByRoute;
    private final RedisRules redis;
    private final LastKnownGood lastKnownGood;
    private final ClientResources resources;
    private final RedisClient client;
    private final ScheduledExecutorService sync;
    private final ReentrantLock lock = new ReentrantLock();

    // Guarded by lock.
    private final Map<String, RouteRules> known = new LinkedHashMap<>();
    private final Map<String, KeyState> keys = new LinkedHashMap<>();
    private final Map<String, List<String>> rejectedShown = new LinkedHashMap<>();
    private StatefulRedisConnection<String, String> connection;
    private StatefulRedisPubSubConnection<String, String> pubsub;
    private long keyRevision;
    private long lastCheckNanos;
    private long lastKeyCheckNanos;
    private String lastProblem;

    private volatile ChangeListener listener;
    private volatile Boolean keyEvents; // null until known: whether the server publishes keyspace events for us
    private volatile boolean connected;
    private volatile boolean closed;
    private volatile Instant lastSync;
    private volatile Instant downSince;
    private volatile String downReason = "not connected yet";
    private volatile String rulesFrom = "redis";

    /**
     * @param keyByRoute the {@code whitelistKey} of each route that has one; these keys are read as they are and
     *                   watched for changes made by anyone, {@code redis-cli} included
     */
    public RedisRuleStore(RedisStoreUri uri, Map<String, String> keyByRoute) {
        this.uri = uri;
        this.keyByRoute = Map.copyOf(keyByRoute);
        this.redis = new RedisRules(uri.prefix(), uri.timeout());
        this.lastKnownGood = new LastKnownGood(uri.snapshot());
        this.resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2).build();
        this.client = RedisClient.create(resources);
        // No automatic reconnect: this store reconnects by itself, so that a write is made at most once (never
        // replayed after an outage it was refused in) and every reconnect is followed by a full reload.
        client.setOptions(ClientOptions.builder()
                .autoReconnect(false)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .protocolVersion(ProtocolVersion.RESP2)
                .socketOptions(SocketOptions.builder().connectTimeout(uri.timeout()).keepAlive(true).build())
                .build());
        this.sync = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "graygate-redis-sync");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public Map<String, RouteRules> open(Map<String, RouteRules> seed, ChangeListener listener) {
        this.listener = listener;
        try {
            Map<String, RouteRules> initial = sync.submit(() -> start(seed)).get();
            sync.scheduleWithFixedDelay(this::tick, RETRY_MILLIS, RETRY_MILLIS, TimeUnit.MILLISECONDS);
            return initial;
        } catch (ExecutionException e) {
            close();
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            close();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while opening the Redis store", e);
        }
    }

    /** Runs on the sync thread: loads the rules from Redis or, when it is unreachable, from disk or the configuration. */
    private Map<String, RouteRules> start(Map<String, RouteRules> seed) {
        lock.lock();
        try {
            try {
                connect();
                for (Map.Entry<String, RouteRules> e : seed.entrySet()) {
                    String route = e.getKey();
                    if (redis.seedIfAbsent(async(), route, e.getValue())) log.info("route {} seeded in Redis from the configuration", route);
                    RouteRules inRedis = loadRoute(route, keyWhitelistFor(route, null));
                    // Deleted between the two calls (by hand): serve the seed; the version check writes it back.
                    known.put(route, inRedis != null ? inRedis : e.getValue().withKeyWhitelist(keyWhitelistFor(route, null)));
                }
                reloadKeys(new ArrayList<>());
                connected = true;
                lastSync = Instant.now();
                lastCheckNanos = System.nanoTime();
                log.info("rules loaded from Redis at {} ({} routes){}", uri, known.size(), keyWatchSummary());
                lastKnownGood.save(known);
            } catch (RedisException e) {
                closeConnections();
                startWithoutRedis(seed, describe(e));
            }
            return Map.copyOf(known);
        } finally {
            lock.unlock();
        }
    }

    private void startWithoutRedis(Map<String, RouteRules> seed, String reason) {
        Optional<LastKnownGood.Saved> saved = lastKnownGood.read();
        for (Map.Entry<String, RouteRules> e : seed.entrySet()) {
            String route = e.getKey();
            RouteRules rules = saved.map(s -> s.routes().get(route)).orElse(e.getValue());
            known.put(route, rules.withKeyWhitelist(keyWhitelistFor(route, rules.keyWhitelist())));
        }
        rulesFrom = saved.map(s -> "disk snapshot " + lastKnownGood.file() + " (saved " + s.savedAt() + ")").orElse("configuration");
        connected = false;
        downSince = Instant.now();
        downReason = reason;
        log.warn("Redis at {} is unreachable ({}); serving the rules from the {}; retrying every {} ms",
                uri, reason, rulesFrom, RETRY_MILLIS);
    }

    /** A route's key whitelist to start from: the one saved, if it is of the configured key, else an empty one. */
    private KeyWhitelist keyWhitelistFor(String route, KeyWhitelist saved) {
        String key = keyByRoute.get(route);
        if (key == null) return KeyWhitelist.NONE;
        KeyState state = keys.get(key);
        if (state != null) return state.whitelist();
        if (saved != null && key.equals(saved.key())) return saved;
        return new KeyWhitelist(key, IpSet.EMPTY, 0);
    }

    @Override
    public Map<String, RouteRules> seed(Map<String, RouteRules> seed) {
        if (closed) throw new StoreUnavailableException("the rule store is closed", null);
        acquireForWrite();
        try {
            if (!connected || !connection.isOpen()) {
                checkSoon();
                throw new StoreUnavailableException("Redis at " + uri + " is unreachable (" + downReason + "); new routes cannot be seeded", null);
            }
            Map<String, RouteRules> out = new LinkedHashMap<>();
            for (Map.Entry<String, RouteRules> e : seed.entrySet()) {
                String route = e.getKey();
                if (redis.seedIfAbsent(async(), route, e.getValue())) log.info("route {} seeded in Redis from the configuration", route);
                RouteRules inRedis = loadRoute(route, keyWhitelistFor(route, null));
                RouteRules rules = inRedis != null ? inRedis : e.getValue().withKeyWhitelist(keyWhitelistFor(route, null));
                known.put(route, rules);
                out.put(route, rules);
            }
            lastKnownGood.save(known);
            return out;
        } catch (RedisException e) {
            checkSoon();
            throw new StoreUnavailableException("lost Redis at " + uri + " while seeding new routes (" + describe(e) + ")", e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public RouteRules apply(String route, RuleChange change) {
        if (closed) throw new StoreUnavailableException("the rule store is closed", null);
        acquireForWrite();
        try {
            RouteRules current = known.get(route);
            if (current == null) throw new IllegalArgumentException("no route named \"" + route + "\" in the store");
            if (!connected || !connection.isOpen()) {
                checkSoon();
                throw new StoreUnavailableException("Redis at " + uri + " is unreachable ("
                        + (connected ? "the connection was closed" : downReason) + "); the change was not made", null);
            }
            for (int attempt = 0; attempt < 3; attempt++) {
                RouteRules next = change.applyTo(current);
                String notice = RedisChangeNotice.encode(route, next.version(), change);
                long written = redis.apply(async(), route, current, next, change, notice);
                if (written == next.version()) {
                    known.put(route, next);
                    lastKnownGood.save(known);
                    return next;
                }
                checkSoon();
                if (written == RedisRules.MISSING) {
                    throw new StoreUnavailableException("route " + route + " is missing from Redis (was its data lost?); this node is "
                            + "writing it back, try again in a second; the change was not made", null);
                }
                RedisRules.Loaded inRedis = redis.load(async(), route);
                if (inRedis == null || inRedis.rules().version() < known.get(route).version()) {
                    throw new StoreUnavailableException("Redis holds older rules for route " + route + " than this node has served; "
                            + "resyncing, try again in a second; the change was not made", null);
                }
                current = inRedis.rules().withKeyWhitelist(current.keyWhitelist()); // someone else changed it first: redo on top
            }
            throw new StoreUnavailableException("route " + route + " kept changing while this change was being written; "
                    + "try again; the change was not made", null);
        } catch (RedisCommandTimeoutException e) {
            checkSoon();
            throw new StoreUnavailableException("Redis at " + uri + " did not answer within " + redis.writeTimeout(size(change)).toMillis()
                    + " ms; the change was not confirmed (it is made whole or not at all: read the route before retrying)", e);
        } catch (RedisCommandExecutionException e) {
            // Redis answered with an error; the scripts fail before their first write, so nothing was written.
            if (String.valueOf(e.getMessage()).startsWith("READONLY")) {
                // A primary demoted by Sentinel: reconnecting asks the sentinels for the new one.
                execute(() -> reconnectNow("the server became a read-only replica"));
            }
            checkSoon();
            throw new StoreUnavailableException("Redis at " + uri + " refused the change (" + describe(e) + "); the change was not made", e);
        } catch (RedisException e) {
            checkSoon();
            throw new StoreUnavailableException("lost Redis at " + uri + " while writing (" + describe(e) + "); the change was not "
                    + "confirmed (it is made whole or not at all: read the route before retrying)", e);
        } finally {
            lock.unlock();
        }
    }

    private static int size(RuleChange change) {
        if (change instanceof RuleChange.AddToWhitelist add) return add.entries().size();
        if (change instanceof RuleChange.RemoveFromWhitelist remove) return remove.entries().size();
        return 0;
    }

    private void acquireForWrite() {
        try {
            if (!lock.tryLock(uri.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                throw new StoreUnavailableException("the Redis store is busy reloading the rules; try again; the change was not made", null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreUnavailableException("interrupted while waiting for the Redis store; the change was not made", e);
        }
    }

    @Override
    public StoreStatus status() {
        Instant synced = lastSync;
        String detail;
        if (closed) {
            detail = "closed";
        } else if (connected) {
            detail = keyByRoute.isEmpty() ? "ok" : "ok;" + keyWatchSummary();
        } else {
            detail = "unreachable since " + downSince + " (" + downReason + "); serving the last rules, retrying every "
                    + RETRY_MILLIS + " ms";
        }
        return new StoreStatus("redis", connected && !closed, uri.toString(), synced, detail, rulesFrom, StoreStatus.ageOf(synced));
    }

    private String keyWatchSummary() {
        if (keyByRoute.isEmpty()) return "";
        return " whitelist keys " + new LinkedHashSet<>(keyByRoute.values()) + " watched by "
                + (Boolean.TRUE.equals(keyEvents) ? "keyspace notifications" : "polling every " + KEY_POLL_MILLIS + " ms");
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) return;
            closed = true;
        }
        sync.shutdown();
        try {
            if (!sync.awaitTermination(5, TimeUnit.SECONDS)) sync.shutdownNow();
        } catch (InterruptedException e) {
            sync.shutdownNow();
            Thread.currentThread().interrupt();
        }
        client.shutdown(0, 2, TimeUnit.SECONDS); // closes the connections too
        resources.shutdown(0, 2, TimeUnit.SECONDS);
        lastKnownGood.close();
    }

    // --- the sync thread ----------------------------------------------------------------------------------------

    /** Every 250 ms: reconnect while Redis is down; once a second while it is up, compare versions. */
    private void tick() {
        if (closed) return;
        List<Delivery> deliveries = new ArrayList<>();
        lock.lock();
        try {
            if (!connected) {
                reconnect(deliveries);
            } else if (!connection.isOpen() || !pubsub.isOpen()) {
                markDown("the connection was closed");
            } else {
                if (due(lastCheckNanos, CHECK_MILLIS)) versionCheck(deliveries);
                if (!Boolean.TRUE.equals(keyEvents) && due(lastKeyCheckNanos, KEY_POLL_MILLIS)) keyDigestCheck(deliveries);
            }
        } catch (RedisException e) {
            markDown(describe(e));
        } catch (RuntimeException e) {
            problem("cannot read the rules from Redis: " + e);
        } finally {
            lock.unlock();
        }
        deliver(deliveries);
    }

    /** True when at least {@code period} (less half a tick, so ticks do not slip) has passed since {@code last}. */
    private static boolean due(long last, long periodMillis) {
        return System.nanoTime() - last >= TimeUnit.MILLISECONDS.toNanos(periodMillis - RETRY_MILLIS / 2);
    }

    private void checkSoon() {
        lastCheckNanos = 0;
        execute(this::tick);
    }

    private void reconnect(List<Delivery> deliveries) {
        try {
            connect();
            for (String route : known.keySet()) {
                RouteRules mine = known.get(route);
                if (redis.seedIfAbsent(async(), route, mine)) {
                    log.info("route {} was missing from Redis; written back from this node's rules (version {})", route, mine.version());
                }
                syncRoute(route, deliveries);
            }
            reloadKeys(deliveries);
        } catch (RedisException e) {
            closeConnections();
            downReason = describe(e);
            return;
        }
        connected = true;
        lastSync = Instant.now();
        lastCheckNanos = System.nanoTime();
        rulesFrom = "redis";
        double seconds = Duration.between(downSince, Instant.now()).toMillis() / 1000.0;
        log.info("Redis at {} is reachable again after {} s; rules resynced ({} taken in)", uri,
                String.format("%.1f", seconds), deliveries.size() == 1 ? "1 change" : deliveries.size() + " changes");
        downSince = null;
    }

    private void reconnectNow(String reason) {
        lock.lock();
        try {
            markDown(reason);
        } finally {
            lock.unlock();
        }
        tick();
    }

    private void markDown(String reason) {
        closeConnections();
        if (!connected) return;
        connected = false;
        downSince = Instant.now();
        downReason = reason;
        log.warn("Redis at {} is unreachable ({}); serving the last rules, writes are refused; retrying every {} ms",
                uri, reason, RETRY_MILLIS);
    }

    private void versionCheck(List<Delivery> deliveries) {
        Map<String, Long> versions = redis.versions(async(), new ArrayList<>(known.keySet()));
        for (Map.Entry<String, Long> e : versions.entrySet()) {
            String route = e.getKey();
            long inRedis = e.getValue();
            RouteRules mine = known.get(route);
            if (inRedis == RedisRules.MISSING) {
                if (redis.seedIfAbsent(async(), route, mine)) {
                    log.warn("route {} was missing from Redis; written back from this node's rules (version {})", route, mine.version());
                }
            } else if (inRedis != mine.version()) {
                syncRoute(route, deliveries);
            }
        }
        lastCheckNanos = System.nanoTime();
        lastSync = Instant.now();
    }

    /** Without keyspace notifications, a plain redis-cli change to a whitelist key is found by comparing digests. */
    private void keyDigestCheck(List<Delivery> deliveries) {
        for (String key : keys.keySet()) {
            String digest = redis.keyDigest(async(), key);
            KeyState state = keys.get(key);
            if (!digest.equals(state.pollDigest())) {
                reloadKey(key, deliveries);
                keys.put(key, keys.get(key).withPollDigest(digest));
            }
        }
        lastKeyCheckNanos = System.nanoTime();
    }

    /**
     * Takes in Redis's rules for a route when they are newer than this node's. When they are older (Redis lost its
     * data, or was restored from a backup) Redis still wins, but its version is first raised above this node's, so
     * that every node sees a newer version and versions never go back.
     */
    private void syncRoute(String route, List<Delivery> deliveries) {
        RouteRules mine = known.get(route);
        RouteRules inRedis = loadRoute(route, mine.keyWhitelist());
        if (inRedis == null) return; // deleted meanwhile: the next check writes it back
        if (inRedis.version() < mine.version()) {
            long raised = redis.raiseVersion(async(), route, mine.version() + 1);
            log.warn("route {}: Redis holds version {}, older than this node's {}; Redis's rules are taken as version {}",
                    route, inRedis.version(), mine.version(), raised);
            inRedis = loadRoute(route, mine.keyWhitelist());
            if (inRedis == null) return;
        }
        if (inRedis.version() > mine.version()) adopt(route, inRedis, deliveries);
    }

    private RouteRules loadRoute(String route, KeyWhitelist keyWhitelist) {
        RedisRules.Loaded loaded = redis.load(async(), route);
        if (loaded == null) return null;
        warnRejected("route " + route + " whitelist " + redis.whitelistSetKey(route), loaded.rejected());
        return loaded.rules().withKeyWhitelist(keyWhitelist);
    }

    private void onNotice(String message) {
        Optional<RedisChangeNotice> decoded = RedisChangeNotice.decode(message);
        if (decoded.isEmpty() || closed) return;
        RedisChangeNotice notice = decoded.get();
        List<Delivery> deliveries = new ArrayList<>();
        lock.lock();
        try {
            RouteRules mine = known.get(notice.route());
            if (mine == null || !connected || notice.version() <= mine.version()) return;
            if (notice.delta().isPresent() && notice.version() == mine.version() + 1) {
                adopt(notice.route(), notice.delta().get().applyTo(mine), deliveries);
            } else {
                syncRoute(notice.route(), deliveries);
            }
        } catch (RedisException e) {
            markDown(describe(e));
        } catch (RuntimeException e) {
            problem("cannot take in the change \"" + message + "\": " + e);
        } finally {
            lock.unlock();
        }
        deliver(deliveries);
    }

    private void onKeyEvent(String key) {
        if (closed) return;
        List<Delivery> deliveries = new ArrayList<>();
        lock.lock();
        try {
            if (connected && keys.containsKey(key)) reloadKey(key, deliveries);
        } catch (RedisException e) {
            markDown(describe(e));
        } finally {
            lock.unlock();
        }
        deliver(deliveries);
    }

    private void reloadKeys(List<Delivery> deliveries) {
        if (keyByRoute.isEmpty()) return;
        boolean before = Boolean.TRUE.equals(keyEvents);
        try {
            keyEvents = redis.enableKeyspaceEvents(async());
        } catch (RedisCommandExecutionException e) {
            if (keyEvents == null || before) {
                log.info("keyspace notifications are not available ({}); whitelist keys are checked every {} ms instead", e.getMessage(), KEY_POLL_MILLIS);
            }
            keyEvents = false;
        }
        for (String key : new LinkedHashSet<>(keyByRoute.values())) reloadKey(key, deliveries);
    }

    /** Reads a whitelist key; when its content differs from what this node last read, puts it in force on its routes. */
    private void reloadKey(String key, List<Delivery> deliveries) {
        RedisRules.KeyContent content = redis.readKey(async(), key);
        String fingerprint = fingerprint(content);
        KeyState state = keys.get(key);
        if (state != null && state.fingerprint().equals(fingerprint)) return;
        List<String> values = content.values();
        if (!content.type().equals("string") && !content.type().equals("set") && !content.type().equals("none")) {
            log.warn("whitelist key {} is a {}, not a string or a set; it counts as empty", key, content.type());
            values = List.of();
        }
        KeyWhitelist.Parsed parsed = KeyWhitelist.parse(values);
        warnRejected("whitelist key " + key, parsed.rejected());
        KeyWhitelist whitelist = new KeyWhitelist(key, parsed.entries(), ++keyRevision);
        keys.put(key, new KeyState(whitelist, fingerprint, state == null ? null : state.pollDigest()));
        for (Map.Entry<String, String> e : keyByRoute.entrySet()) {
            RouteRules mine = known.get(e.getKey());
            if (e.getValue().equals(key) && mine != null) adopt(e.getKey(), mine.withKeyWhitelist(whitelist), deliveries);
        }
    }

    private void adopt(String route, RouteRules rules, List<Delivery> deliveries) {
        known.put(route, rules);
        deliveries.add(new Delivery(route, rules));
    }

    /** Tells the rule book, outside the lock, in the order the changes were taken in; then saves them to disk. */
    private void deliver(List<Delivery> deliveries) {
        if (deliveries.isEmpty()) return;
        ChangeListener l = listener;
        for (Delivery d : deliveries) {
            try {
                if (l != null) l.routeChanged(d.route(), d.rules());
            } catch (RuntimeException e) {
                log.error("route {}: cannot put the new rules in force", d.route(), e);
            }
        }
        lock.lock();
        try {
            lastKnownGood.save(known);
        } finally {
            lock.unlock();
        }
    }

    private void connect() {
        RedisURI target = uri.toLettuce();
        connection = client.connect(StringCodec.UTF8, target);
        pubsub = client.connectPubSub(StringCodec.UTF8, target);
        pubsub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                // A Lettuce event loop: hand over, never read Redis here.
                if (channel.equals(redis.channel())) execute(() -> onNotice(message));
                else execute(() -> onKeyEvent(channel.substring(channel.indexOf("__:") + 3)));
            }
        });
        List<String> channels = new ArrayList<>();
        channels.add(redis.channel());
        for (String key : new LinkedHashSet<>(keyByRoute.values())) channels.add(RedisRules.keyspaceChannel(uri.database(), key));
        RedisRules.await(pubsub.async().subscribe(channels.toArray(String[]::new)), uri.timeout());
    }

    private void closeConnections() {
        if (connection != null) connection.closeAsync();
        if (pubsub != null) pubsub.closeAsync();
        connection = null;
        pubsub = null;
    }

    private RedisAsyncCommands<String, String> async() {
        if (connection == null) throw new RedisException("not connected");
        return connection.async();
    }

    private void execute(Runnable task) {
        try {
            sync.execute(task);
        } catch (RejectedExecutionException e) {
            // closing: nothing more to take in
        }
    }

    private void warnRejected(String subject, List<String> rejected) {
        List<String> shown = rejectedShown.get(subject);
        if (rejected.isEmpty()) {
            rejectedShown.remove(subject);
            return;
        }
        if (rejected.equals(shown)) return; // warned once already for this content
        rejectedShown.put(subject, rejected);
        List<String> sample = rejected.subList(0, Math.min(5, rejected.size()));
        log.warn("{}: skipped {} {} that {} not an IP address or CIDR: {}{}", subject, rejected.size(),
                rejected.size() == 1 ? "entry" : "entries", rejected.size() == 1 ? "is" : "are",
                sample.stream().map(s -> "\"" + s + "\"").toList(), rejected.size() > 5 ? " and " + (rejected.size() - 5) + " more" : "");
    }

    private void problem(String message) {
        if (message.equals(lastProblem)) return;
        lastProblem = message;
        log.warn(message);
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        if (root != e && root.getMessage() != null && (message == null || !message.contains(root.getMessage()))) {
            return (message == null ? "" : message + ": ") + root.getMessage();
        }
        return message == null ? e.getClass().getSimpleName() : message;
    }

    private static String fingerprint(RedisRules.KeyContent content) {
        List<String> sorted = new ArrayList<>(content.values());
        sorted.sort(null);
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(content.type().getBytes(StandardCharsets.UTF_8));
            for (String v : sorted) {
                md.update((byte) '\n');
                md.update(v.getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    /** What this node last read from a whitelist key. */
    private record KeyState(KeyWhitelist whitelist, String fingerprint, String pollDigest) {
        KeyState withPollDigest(String digest) {
            return new KeyState(whitelist, fingerprint, digest);
        }
    }

    private record Delivery(String route, RouteRules rules) {
    }
}
