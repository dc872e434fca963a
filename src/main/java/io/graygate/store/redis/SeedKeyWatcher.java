package io.graygate.store.redis;
import io.graygate.routing.ip.IpSet;
import io.graygate.store.KeySet;
import io.graygate.store.RouteState;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.api.async.RedisAsyncCommands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Follows the Redis keys that routes read IP sets from (the OpenResty seed's {@code gray} key), changed by anyone with
 * a plain {@code redis-cli}: through keyspace notifications, which it enables (adding to the server's own flags),
 * or, where CONFIG is refused, by comparing a digest every {@value #POLL_MILLIS} ms. A key may hold a string of
 * entries separated by commas, spaces or newlines, or a SET. Confined to the store's sync thread.
 */
final class SeedKeyWatcher {

    private static final Logger log = LoggerFactory.getLogger(SeedKeyWatcher.class);
    static final long POLL_MILLIS = 500;

    /** Route to (set name to key). */
    private final Map<String, Map<String, String>> setsByRoute;
    private final RedisLayout layout;
    private final KnownStates known;
    private final Rejections rejections;
    private final Map<String, Watched> watched = new LinkedHashMap<>();
    private long readRevision;
    private volatile Boolean keyEvents; // null until known: whether the server publishes keyspace events for us
    private long lastPollNanos;

    SeedKeyWatcher(Map<String, Map<String, String>> setsByRoute, RedisLayout layout, KnownStates known, Rejections rejections) {
        this.setsByRoute = Map.copyOf(setsByRoute);
        this.layout = layout;
        this.known = known;
        this.rejections = rejections;
    }

    boolean any() {
        return !setsByRoute.isEmpty();
    }

    Set<String> keys() {
        Set<String> out = new LinkedHashSet<>();
        setsByRoute.values().forEach(m -> out.addAll(m.values()));
        return out;
    }

    /** A route's key sets to start from: what this node last read of each key, or what was saved, else empty. */
    Map<String, KeySet> startingSets(String route, Map<String, KeySet> saved) {
        Map<String, KeySet> out = new LinkedHashMap<>();
        setsByRoute.getOrDefault(route, Map.of()).forEach((set, key) -> {
            Watched w = watched.get(key);
            KeySet s = saved == null ? null : saved.get(set);
            out.put(set, w != null ? w.set() : s != null && key.equals(s.key()) ? s : new KeySet(key, IpSet.EMPTY, 0));
        });
        return out;
    }

    /** After every (re)connect: turns keyspace events on when allowed, then reads every key. */
    void reloadAll(RedisAsyncCommands<String, String> redis) {
        if (!any()) return;
        boolean before = Boolean.TRUE.equals(keyEvents);
        try {
            keyEvents = layout.enableKeyspaceEvents(redis);
        } catch (RedisCommandExecutionException e) {
            if (keyEvents == null || before) {
                log.info("keyspace notifications are not available ({}); whitelist keys are checked every {} ms instead", e.getMessage(), POLL_MILLIS);
            }
            keyEvents = false;
        }
        for (String key : keys()) reload(redis, key);
    }

    /** Without keyspace notifications, a plain redis-cli change is found by comparing digests; call every tick. */
    void poll(RedisAsyncCommands<String, String> redis) {
        if (!any() || Boolean.TRUE.equals(keyEvents) || System.nanoTime() - lastPollNanos < (POLL_MILLIS - 100) * 1_000_000L) return;
        for (String key : keys()) {
            String digest = layout.keyDigest(redis, key);
            Watched w = watched.get(key);
            if (w == null || !digest.equals(w.pollDigest())) {
                reload(redis, key);
                watched.put(key, watched.get(key).withPollDigest(digest));
            }
        }
        lastPollNanos = System.nanoTime();
    }

    /** Reads a key; when its content differs from what this node last read, puts it in force on its routes. */
    void reload(RedisAsyncCommands<String, String> redis, String key) {
        RedisLayout.KeyContent content = layout.readKey(redis, key);
        String fingerprint = fingerprint(content);
        Watched w = watched.get(key);
        if (w != null && w.fingerprint().equals(fingerprint)) return;
        List<String> values = content.values();
        if (!content.type().equals("string") && !content.type().equals("set") && !content.type().equals("none")) {
            log.warn("whitelist key {} is a {}, not a string or a set; it counts as empty", key, content.type());
            values = List.of();
        }
        KeySet.Parsed parsed = KeySet.parse(values);
        rejections.warn("whitelist key " + key, parsed.rejected());
        KeySet set = new KeySet(key, parsed.entries(), ++readRevision);
        watched.put(key, new Watched(set, fingerprint, w == null ? null : w.pollDigest()));
        setsByRoute.forEach((route, sets) -> sets.forEach((name, k) -> {
            RouteState mine = known.get(route);
            if (k.equals(key) && mine != null) known.offer(route, mine.withKeySet(name, set));
        }));
    }

    String summary() {
        if (!any()) return "";
        return " whitelist keys " + keys() + " watched by "
                + (Boolean.TRUE.equals(keyEvents) ? "keyspace notifications" : "polling every " + POLL_MILLIS + " ms");
    }

    private static String fingerprint(RedisLayout.KeyContent content) {
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

    /** What this node last read from a key. */
    private record Watched(KeySet set, String fingerprint, String pollDigest) {
        Watched withPollDigest(String digest) {
            return new Watched(set, fingerprint, digest);
        }
    }
}
