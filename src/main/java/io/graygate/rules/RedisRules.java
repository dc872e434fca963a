package io.graygate.rules;

import io.graygate.routing.IpEntry;
import io.graygate.routing.IpSet;
import io.graygate.routing.Mode;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The rules' layout in Redis and every command graygate sends, each write one Lua script so that it is atomic:
 * <pre>
 * {prefix}route:{name}            HASH  mode, previousMode, version
 * {prefix}route:{name}:whitelist  SET   one address or CIDR per member
 * {prefix}changes                 pub/sub channel of {@link RedisChangeNotice}s
 * </pre>
 * Blocking (each call waits for its answer, up to a timeout): call it from the store's own thread, never an event loop.
 */
final class RedisRules {

    /** What {@link #apply} returns when the route is not in Redis (data lost, or deleted by hand). */
    static final long MISSING = -1;
    /** What {@link #apply} returns when Redis holds another version than the one the change was computed from. */
    static final long CONFLICT = -2;

    private static final Script SEED = new Script("""
            -- KEYS: route hash, whitelist set. ARGV: mode, previousMode or '', version, channel, notice, entries...
            if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
            redis.call('DEL', KEYS[2])
            for i = 6, #ARGV, 1000 do
              redis.call('SADD', KEYS[2], unpack(ARGV, i, math.min(i + 999, #ARGV)))
            end
            redis.call('HSET', KEYS[1], 'mode', ARGV[1], 'version', ARGV[3])
            if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 'previousMode', ARGV[2]) end
            redis.call('PUBLISH', ARGV[4], ARGV[5])
            return 1
            """);

    private static final Script APPLY = new Script("""
            -- KEYS: route hash, whitelist set. ARGV: expected version, mode, previousMode or '', channel, notice,
            -- number of entries to add, the entries to add, then the entries to remove.
            local v = redis.call('HGET', KEYS[1], 'version')
            if not v then return -1 end
            if v ~= ARGV[1] then return -2 end
            redis.call('HSET', KEYS[1], 'mode', ARGV[2])
            if ARGV[3] == '' then redis.call('HDEL', KEYS[1], 'previousMode')
            else redis.call('HSET', KEYS[1], 'previousMode', ARGV[3]) end
            local firstRemoved = 7 + tonumber(ARGV[6])
            for i = 7, firstRemoved - 1, 1000 do
              redis.call('SADD', KEYS[2], unpack(ARGV, i, math.min(i + 999, firstRemoved - 1)))
            end
            for i = firstRemoved, #ARGV, 1000 do
              redis.call('SREM', KEYS[2], unpack(ARGV, i, math.min(i + 999, #ARGV)))
            end
            local next = redis.call('HINCRBY', KEYS[1], 'version', 1)
            redis.call('PUBLISH', ARGV[4], ARGV[5])
            return next
            """);

    private static final Script RAISE = new Script("""
            -- KEYS: route hash. ARGV: the version to raise to, channel, notice.
            local v = redis.call('HGET', KEYS[1], 'version')
            if not v then return -1 end
            if tonumber(v) >= tonumber(ARGV[1]) then return tonumber(v) end
            redis.call('HSET', KEYS[1], 'version', ARGV[1])
            redis.call('PUBLISH', ARGV[2], ARGV[3])
            return tonumber(ARGV[1])
            """);

    private static final Script LOAD = new Script("""
            -- KEYS: route hash, whitelist set. An empty answer: the route is not in Redis.
            local h = redis.call('HMGET', KEYS[1], 'mode', 'previousMode', 'version')
            if not h[3] then return {} end
            return {h[1] or '', h[2] or '', h[3], redis.call('SMEMBERS', KEYS[2])}
            """);

    private static final Script VERSIONS = new Script("""
            -- KEYS: route hashes. One version per route, '' where the route is missing.
            local out = {}
            for i, k in ipairs(KEYS) do out[i] = redis.call('HGET', k, 'version') or '' end
            return out
            """);

    private static final Script READ_KEY = new Script("""
            -- KEYS: a whitelist key of the seed's kind. Its type and its values (a string's one value or a set's members).
            local t = redis.call('TYPE', KEYS[1]).ok
            if t == 'string' then return {t, {redis.call('GET', KEYS[1])}} end
            if t == 'set' then return {t, redis.call('SMEMBERS', KEYS[1])} end
            return {t, {}}
            """);

    private static final Script KEY_DIGEST = new Script("""
            -- KEYS: a whitelist key. A digest of its content, computed in Redis so that polling moves 40 bytes.
            local t = redis.call('TYPE', KEYS[1]).ok
            if t == 'string' then return t .. ':' .. redis.sha1hex(redis.call('GET', KEYS[1])) end
            if t == 'set' then
              local m = redis.call('SMEMBERS', KEYS[1])
              table.sort(m)
              return t .. ':' .. redis.sha1hex(table.concat(m, '\\n'))
            end
            return t
            """);

    private final String prefix;
    private final Duration timeout;
    private final Duration loadTimeout;

    RedisRules(String prefix, Duration timeout) {
        this.prefix = prefix;
        this.timeout = timeout;
        // Reading a whole million-entry whitelist takes far longer than a write; it never blocks a request.
        this.loadTimeout = timeout.compareTo(Duration.ofSeconds(30)) > 0 ? timeout : Duration.ofSeconds(30);
    }

    String channel() {
        return prefix + "changes";
    }

    String routeKey(String route) {
        return prefix + "route:" + route;
    }

    String whitelistSetKey(String route) {
        return prefix + "route:" + route + ":whitelist";
    }

    /** Writes the route's rules unless Redis already holds the route; true when this call wrote them. */
    boolean seedIfAbsent(RedisAsyncCommands<String, String> redis, String route, RouteRules rules) {
        List<String> args = new ArrayList<>(5 + rules.whitelist().size());
        args.add(rules.mode().text());
        args.add(rules.previousMode() == null ? "" : rules.previousMode().text());
        args.add(Long.toString(rules.version()));
        args.add(channel());
        args.add(RedisChangeNotice.reload(route, rules.version()));
        rules.whitelist().forEach(e -> args.add(e.toString()));
        Long seeded = SEED.run(redis, ScriptOutputType.INTEGER, loadTimeout, keys(route), args);
        return seeded == 1;
    }

    /**
     * Writes {@code next}, computed by {@code change} from the rules at {@code current}, if Redis still holds
     * {@code current}'s version: one script that changes the data, bumps the version and publishes {@code notice}.
     *
     * @return the new version, or {@link #MISSING} or {@link #CONFLICT}; nothing was written in those two cases
     */
    long apply(RedisAsyncCommands<String, String> redis, String route, RouteRules current, RouteRules next,
               RuleChange change, String notice) {
        List<String> added = new ArrayList<>(), removed = new ArrayList<>();
        if (change instanceof RuleChange.AddToWhitelist add) {
            add.entries().forEach(e -> added.add(e.toString()));
        } else if (change instanceof RuleChange.RemoveFromWhitelist remove) {
            remove.entries().forEach(e -> removed.add(e.toString()));
        } else if (next.whitelist() != current.whitelist()) {
            // A kind of change that rewrites the whitelist some other way: write the difference, whatever it is.
            next.whitelist().forEach(e -> { if (!current.whitelist().containsEntry(e)) added.add(e.toString()); });
            current.whitelist().forEach(e -> { if (!next.whitelist().containsEntry(e)) removed.add(e.toString()); });
        }
        List<String> args = new ArrayList<>(6 + added.size() + removed.size());
        args.add(Long.toString(current.version()));
        args.add(next.mode().text());
        args.add(next.previousMode() == null ? "" : next.previousMode().text());
        args.add(channel());
        args.add(notice);
        args.add(Integer.toString(added.size()));
        args.addAll(added);
        args.addAll(removed);
        return APPLY.run(redis, ScriptOutputType.INTEGER, writeTimeout(added.size() + removed.size()), keys(route), args);
    }

    /** The write timeout, plus a second per 100,000 entries carried: a bulk import is slow, not a hung server. */
    Duration writeTimeout(int entries) {
        return timeout.plusMillis(entries / 100L);
    }

    /**
     * Raises the route's version to at least {@code atLeast} without touching its data, and announces it: used when
     * Redis holds an older version than this node has served (Redis lost its data or was restored from a backup),
     * so that every node, this one included, takes Redis's rules as the newer ones.
     */
    long raiseVersion(RedisAsyncCommands<String, String> redis, String route, long atLeast) {
        return RAISE.run(redis, ScriptOutputType.INTEGER, timeout, new String[] {routeKey(route)},
                List.of(Long.toString(atLeast), channel(), RedisChangeNotice.reload(route, atLeast)));
    }

    /** A route as Redis holds it, or null when Redis does not hold it. */
    Loaded load(RedisAsyncCommands<String, String> redis, String route) {
        List<Object> reply = LOAD.run(redis, ScriptOutputType.MULTI, loadTimeout, keys(route), List.of());
        if (reply == null || reply.isEmpty()) return null;
        Mode mode = Mode.parse((String) reply.get(0));
        String previous = (String) reply.get(1);
        long version = Long.parseLong((String) reply.get(2));
        @SuppressWarnings("unchecked")
        List<String> members = (List<String>) reply.get(3);
        List<IpEntry> entries = new ArrayList<>(members.size());
        List<String> rejected = new ArrayList<>();
        for (String m : members) {
            try {
                entries.add(IpEntry.parse(m));
            } catch (IllegalArgumentException e) {
                rejected.add(m);
            }
        }
        RouteRules rules = new RouteRules(mode, previous.isEmpty() ? null : Mode.parse(previous), IpSet.of(entries), version);
        return new Loaded(rules, List.copyOf(rejected));
    }

    /** A route read from Redis, with the whitelist members that are not addresses (skipped). */
    record Loaded(RouteRules rules, List<String> rejected) {
    }

    /** The version Redis holds for each route, or {@link #MISSING}. */
    Map<String, Long> versions(RedisAsyncCommands<String, String> redis, List<String> routes) {
        String[] keys = routes.stream().map(this::routeKey).toArray(String[]::new);
        List<Object> reply = VERSIONS.run(redis, ScriptOutputType.MULTI, timeout, keys, List.of());
        Map<String, Long> out = new LinkedHashMap<>();
        for (int i = 0; i < routes.size(); i++) {
            String v = (String) reply.get(i);
            out.put(routes.get(i), v.isEmpty() ? MISSING : Long.parseLong(v));
        }
        return out;
    }

    /** The values of a whitelist key: a string's value or a set's members; empty for a missing key. */
    KeyContent readKey(RedisAsyncCommands<String, String> redis, String key) {
        List<Object> reply = READ_KEY.run(redis, ScriptOutputType.MULTI, loadTimeout, new String[] {key}, List.of());
        @SuppressWarnings("unchecked")
        List<String> values = (List<String>) reply.get(1);
        return new KeyContent((String) reply.get(0), values);
    }

    /** What a whitelist key held: its Redis type ("string", "set", "none" or another) and its values. */
    record KeyContent(String type, List<String> values) {
    }

    /** A digest of a whitelist key's content that changes whenever the content does. */
    String keyDigest(RedisAsyncCommands<String, String> redis, String key) {
        return KEY_DIGEST.run(redis, ScriptOutputType.VALUE, timeout, new String[] {key}, List.of());
    }

    /**
     * Makes sure the server publishes keyspace events for string, set and generic commands (and expiry and eviction),
     * adding to the flags already set rather than replacing them. False when the server refuses CONFIG (managed
     * Redis often does): the caller then polls.
     */
    boolean enableKeyspaceEvents(RedisAsyncCommands<String, String> redis) {
        Map<String, String> current = await(redis.configGet("notify-keyspace-events"), timeout);
        String flags = current.getOrDefault("notify-keyspace-events", "");
        StringBuilder wanted = new StringBuilder(flags);
        String classes = flags.contains("A") ? "K" : "Kg$sxe";
        for (char c : classes.toCharArray()) if (wanted.indexOf(String.valueOf(c)) < 0) wanted.append(c);
        if (wanted.length() != flags.length()) await(redis.configSet("notify-keyspace-events", wanted.toString()), timeout);
        return true;
    }

    /** The channel on which Redis announces changes to {@code key} in {@code database}. */
    static String keyspaceChannel(int database, String key) {
        return "__keyspace@" + database + "__:" + key;
    }

    private String[] keys(String route) {
        return new String[] {routeKey(route), whitelistSetKey(route)};
    }

    static <T> T await(RedisFuture<T> future, Duration timeout) {
        return LettuceFutures.awaitOrCancel(future, timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A Lua script run by its SHA-1, sent in full only when the server does not know it yet (after a restart). */
    private static final class Script {
        private final String source;
        private final String sha;

        Script(String source) {
            this.source = source;
            this.sha = sha1(source);
        }

        <T> T run(RedisAsyncCommands<String, String> redis, ScriptOutputType type, Duration timeout, String[] keys, List<String> args) {
            String[] values = args.toArray(String[]::new);
            try {
                return await(redis.evalsha(sha, type, keys, values), timeout);
            } catch (RedisNoScriptException e) {
                return await(redis.eval(source, type, keys, values), timeout);
            }
        }

        private static String sha1(String s) {
            try {
                return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8)));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("the JVM has no SHA-1", e);
            }
        }
    }
}
