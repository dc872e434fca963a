package io.graygate.store.redis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.graygate.policy.Mode;
import io.graygate.policy.PolicyCodec;
import io.graygate.routing.ip.IpEntry;
import io.graygate.routing.ip.IpSet;
import io.graygate.store.Delta;
import io.graygate.store.HistoryEntry;
import io.graygate.store.KeySet;
import io.graygate.store.RouteState;
import io.graygate.store.StateCodec;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ValueScanCursor;
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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The routes' layout in Redis and every command graygate sends, each write one Lua script so that it is atomic:
 * <pre>
 * {prefix}route:{name}             HASH  revision, policy (JSON), sets (JSON list of the route's IP set names), format
 * {prefix}route:{name}:set:{set}   SET   one address or CIDR per member
 * {prefix}route:{name}:history     LIST  history entries (JSON), newest first, the last 100
 * {prefix}changes                  pub/sub channel of {@link RedisChangeNotice}s
 * </pre>
 * graygate's first release kept {@code mode, previousMode, version} in the hash and the whitelist in
 * {@code {prefix}route:{name}:whitelist}; {@link #load} reads that layout too, and {@link #migrate} rewrites it.
 * Blocking (each call waits for its answer, up to its timeout): call it off the event loops.
 */
final class RedisLayout {

    /** What a conditional write returns when the route is not in Redis (data lost, or deleted by hand). */
    static final long MISSING = -1;
    /** What a conditional write returns when Redis holds another revision than the one it was planned on. */
    static final long CONFLICT = -2;

    /**
     * Run first by every script on a route hash (KEYS[1]): a route written in a newer store format than this
     * graygate's is neither read nor written over; the script fails with an error that says so.
     */
    private static final String FORMAT_GUARD = """
            local held = tonumber(redis.call('HGET', KEYS[1], 'format') or '0')
            if held and held > {FORMAT} then
              return redis.error_reply('NEWERFORMAT ' .. KEYS[1] .. ' is in store format ' .. held
                .. ', written by a newer graygate; this one reads and writes format {FORMAT}')
            end
            """;

    private static final Script APPLY = Script.onRoute("apply", """
            -- KEYS: hash, history, then the set keys the delta touches.
            -- ARGV: expected revision, new revision, policy, set names, history entry, channel, notice, history kept,
            -- then per touched set: number added, number removed, the added entries, the removed entries.
            local v = redis.call('HGET', KEYS[1], 'revision')
            if not v then return -1 end
            if v ~= ARGV[1] then return -2 end
            local i = 9
            for k = 3, #KEYS do
              local nadd, nrem = tonumber(ARGV[i]), tonumber(ARGV[i + 1])
              i = i + 2
              for j = i, i + nadd - 1, 1000 do redis.call('SADD', KEYS[k], unpack(ARGV, j, math.min(j + 999, i + nadd - 1))) end
              i = i + nadd
              for j = i, i + nrem - 1, 1000 do redis.call('SREM', KEYS[k], unpack(ARGV, j, math.min(j + 999, i + nrem - 1))) end
              i = i + nrem
            end
            redis.call('HSET', KEYS[1], 'revision', ARGV[2], 'policy', ARGV[3], 'sets', ARGV[4], 'format', '{FORMAT}')
            redis.call('LPUSH', KEYS[2], ARGV[5])
            redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[8]) - 1)
            redis.call('PUBLISH', ARGV[6], ARGV[7])
            return tonumber(ARGV[2])
            """);

    private static final Script APPLY_STAGED = Script.onRoute("apply_staged", """
            -- A large change, its sets already built under staging keys: checks the revision, then renames each
            -- staging key over its set (a set emptied by the change has no staging key: it is deleted). On a
            -- revision conflict the staging keys are dropped and nothing else is touched.
            -- KEYS: hash, history, then (set key, staging key) pairs. ARGV: expected revision, new revision, policy,
            -- set names, history entry, channel, notice, history kept.
            local v = redis.call('HGET', KEYS[1], 'revision')
            local ok = v and v == ARGV[1]
            for k = 3, #KEYS, 2 do
              if not ok then redis.call('DEL', KEYS[k + 1])
              else
                -- UNLINK frees the old members on Redis's background thread: a rename over a million-member set
                -- would free them here, holding every other client meanwhile.
                redis.call('UNLINK', KEYS[k])
                if redis.call('EXISTS', KEYS[k + 1]) == 1 then redis.call('RENAME', KEYS[k + 1], KEYS[k]) end
              end
            end
            if not v then return -1 end
            if not ok then return -2 end
            redis.call('HSET', KEYS[1], 'revision', ARGV[2], 'policy', ARGV[3], 'sets', ARGV[4], 'format', '{FORMAT}')
            redis.call('LPUSH', KEYS[2], ARGV[5])
            redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[8]) - 1)
            redis.call('PUBLISH', ARGV[6], ARGV[7])
            return tonumber(ARGV[2])
            """);

    private static final Script REPLACE = Script.onRoute("replace", """
            -- Writes a route's whole state: when it is absent (ARGV[1] = 'absent'), or when it is at revision ARGV[1]
            -- (a node writing back the newer state it has in force), or in the first release's layout (ARGV[1] = 'v' .. version).
            -- KEYS: hash, history, legacy whitelist set, then one key per set. ARGV: condition, revision, policy, set
            -- names, channel, notice, number of history entries, the entries newest first, then per set: count, entries.
            local cond = ARGV[1]
            if cond == 'absent' then
              if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
            elseif string.sub(cond, 1, 1) == 'v' then
              if redis.call('HGET', KEYS[1], 'revision') or redis.call('HGET', KEYS[1], 'version') ~= string.sub(cond, 2) then return -2 end
            else
              local v = redis.call('HGET', KEYS[1], 'revision')
              if not v then return -1 end
              if v ~= cond then return -2 end
            end
            redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
            local nh = tonumber(ARGV[7])
            for j = 8, 7 + nh do redis.call('RPUSH', KEYS[2], ARGV[j]) end
            local i = 8 + nh
            for k = 4, #KEYS do
              redis.call('DEL', KEYS[k])
              local n = tonumber(ARGV[i])
              i = i + 1
              for j = i, i + n - 1, 1000 do redis.call('SADD', KEYS[k], unpack(ARGV, j, math.min(j + 999, i + n - 1))) end
              i = i + n
            end
            redis.call('HSET', KEYS[1], 'revision', ARGV[2], 'policy', ARGV[3], 'sets', ARGV[4], 'format', '{FORMAT}')
            redis.call('PUBLISH', ARGV[5], ARGV[6])
            return 1
            """);

    private static final Script LOAD = Script.onRoute("load", """
            -- KEYS: hash, history, legacy whitelist set. ARGV: the prefix of the route's set keys, the most members
            -- of one set to return whole.
            -- {} when the route is absent; {'legacy', version, mode, members, previous mode or ''} for the first
            -- release's layout;
            -- else {'state', revision, policy, set names, {members per set}, history newest first}.
            local h = redis.call('HMGET', KEYS[1], 'revision', 'policy', 'sets', 'version', 'mode', 'previousMode')
            if not h[1] then
              if h[4] then return {'legacy', h[4], h[5] or 'gray', redis.call('SMEMBERS', KEYS[3]), h[6] or ''} end
              return {}
            end
            -- A set of more than ARGV[2] members comes back as its size, to be read with SSCAN in batches: one
            -- SMEMBERS of a million members would hold Redis (and every other client's command) for seconds.
            local sets = {}
            local most = tonumber(ARGV[2])
            for i, name in ipairs(cjson.decode(h[3])) do
              local n = redis.call('SCARD', ARGV[1] .. name)
              if n > most then sets[i] = n else sets[i] = redis.call('SMEMBERS', ARGV[1] .. name) end
            end
            return {'state', h[1], h[2], h[3], sets, redis.call('LRANGE', KEYS[2], 0, -1)}
            """);

    private static final Script REVISIONS = new Script("revisions", """
            -- KEYS: route hashes. One revision per route, '' where the route is missing ('v' .. version: first release).
            local out = {}
            for i, k in ipairs(KEYS) do
              local r = redis.call('HGET', k, 'revision')
              if not r then
                local v = redis.call('HGET', k, 'version')
                r = v and ('v' .. v) or ''
              end
              out[i] = r
            end
            return out
            """);

    private static final Script READ_KEY = new Script("read_key", """
            -- KEYS: a whitelist key of the seed's kind. Its type and its values (a string's one value or a set's members).
            local t = redis.call('TYPE', KEYS[1]).ok
            if t == 'string' then return {t, {redis.call('GET', KEYS[1])}} end
            if t == 'set' then return {t, redis.call('SMEMBERS', KEYS[1])} end
            return {t, {}}
            """);

    private static final Script KEY_DIGEST = new Script("key_digest", """
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

    /**
     * A set larger than this is read with SSCAN and a change larger than this is written in batches: no single
     * command holds Redis long enough to make another client's (another node's) small command time out.
     */
    static final int BATCH = 10_000;
    /** Members per SSCAN page and per SADD / SREM command: a millisecond or two of Redis's time each. */
    static final int PAGE = 2_000;
    /** Batches of a staged change in flight at once, so that small commands do not cost a round trip each. */
    private static final int IN_FLIGHT = 16;
    /** How long a staging key outlives a node that died while building it. */
    private static final long STAGING_TTL_SECONDS = 600;

    private final String prefix;
    private final Duration timeout;
    private final Duration loadTimeout;

    RedisLayout(String prefix, Duration timeout) {
        this.prefix = prefix;
        this.timeout = timeout;
        // Reading or seeding a whole million-entry set takes far longer than a small write; it never blocks a request.
        this.loadTimeout = timeout.compareTo(Duration.ofSeconds(30)) > 0 ? timeout : Duration.ofSeconds(30);
    }

    String channel() {
        return prefix + "changes";
    }

    String routeKey(String route) {
        return prefix + "route:" + route;
    }

    String setKey(String route, String set) {
        return setKeyPrefix(route) + set;
    }

    private String setKeyPrefix(String route) {
        return prefix + "route:" + route + ":set:";
    }

    String historyKey(String route) {
        return prefix + "route:" + route + ":history";
    }

    String legacyWhitelistKey(String route) {
        return prefix + "route:" + route + ":whitelist";
    }

    Duration timeout() {
        return timeout;
    }

    Duration loadTimeout() {
        return loadTimeout;
    }

    /** The timeout for a write carrying {@code entries} entries: a second more per 100,000, a bulk import is slow, not a hung server. */
    Duration writeTimeout(int entries) {
        return timeout.plusMillis(entries / 100L);
    }

    /**
     * Writes {@code delta} if Redis still holds the revision it was planned on: one script that changes the sets,
     * the revision, the policy and the history, and publishes {@code notice}.
     *
     * @return the new revision, or {@link #MISSING} or {@link #CONFLICT}; nothing was written in those two cases
     */
    long apply(RedisAsyncCommands<String, String> redis, String route, RouteState current, Delta delta, String notice) {
        Set<String> touched = new LinkedHashSet<>(delta.added().keySet());
        touched.addAll(delta.removed().keySet());
        Set<String> names = new LinkedHashSet<>(current.ipSets().keySet());
        names.addAll(delta.added().keySet());
        List<String> keys = new ArrayList<>(2 + touched.size());
        keys.add(routeKey(route));
        keys.add(historyKey(route));
        List<String> args = new ArrayList<>(8 + 2 * touched.size() + delta.entryCount());
        args.add(Long.toString(delta.from()));
        args.add(Long.toString(delta.to()));
        args.add(StateCodec.policyJson(delta.entry().policy()));
        args.add(namesJson(names));
        args.add(StateCodec.historyJson(delta.entry()));
        args.add(channel());
        args.add(notice);
        args.add(Integer.toString(RouteState.HISTORY_KEPT));
        for (String set : touched) {
            keys.add(setKey(route, set));
            List<IpEntry> add = delta.added().getOrDefault(set, List.of());
            List<IpEntry> remove = delta.removed().getOrDefault(set, List.of());
            args.add(Integer.toString(add.size()));
            args.add(Integer.toString(remove.size()));
            add.forEach(e -> args.add(e.toString()));
            remove.forEach(e -> args.add(e.toString()));
        }
        if (delta.entryCount() > BATCH) return applyStaged(redis, route, touched, delta, args);
        return APPLY.run(redis, ScriptOutputType.INTEGER, writeTimeout(delta.entryCount()), keys.toArray(String[]::new), args);
    }

    /**
     * A change of more than {@link #BATCH} entries: each touched set is built under a staging key of its own, in
     * batches (its members copied with SSCAN, then the entries added and removed), and one short script checks the
     * revision and renames the staging keys over the sets, so the change is still made whole or not at all.
     */
    private long applyStaged(RedisAsyncCommands<String, String> redis, String route, Set<String> touched, Delta delta, List<String> args) {
        String tag = Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong());
        List<String> keys = new ArrayList<>();
        keys.add(routeKey(route));
        keys.add(historyKey(route));
        try {
            for (String set : touched) {
                String key = setKey(route, set), staging = key + ":staging:" + tag;
                keys.add(key);
                keys.add(staging);
                ScanCursor cursor = ScanCursor.INITIAL;
                do {
                    ValueScanCursor<String> page = await(redis.sscan(key, cursor, ScanArgs.Builder.limit(PAGE)), timeout, "SSCAN " + key);
                    if (!page.getValues().isEmpty()) await(redis.sadd(staging, page.getValues().toArray(String[]::new)), timeout, "SADD " + staging);
                    cursor = page;
                } while (!cursor.isFinished());
                inBatches(delta.added().getOrDefault(set, List.of()), batch -> redis.sadd(staging, batch), "SADD " + staging);
                inBatches(delta.removed().getOrDefault(set, List.of()), batch -> redis.srem(staging, batch), "SREM " + staging);
                await(redis.expire(staging, STAGING_TTL_SECONDS), timeout, "EXPIRE " + staging);
            }
        } catch (RuntimeException e) {
            for (int k = 3; k < keys.size(); k += 2) redis.del(keys.get(k)); // best effort; the TTL cleans up otherwise
            throw e;
        }
        return APPLY_STAGED.run(redis, ScriptOutputType.INTEGER, timeout, keys.toArray(String[]::new), args.subList(0, 8));
    }

    /** Writes the route's whole state unless Redis already holds the route; true when this call wrote it. */
    boolean seedIfAbsent(RedisAsyncCommands<String, String> redis, String route, RouteState s) {
        return replace(redis, route, s, "absent") == 1;
    }

    /**
     * Writes this node's whole state of the route over an older one Redis holds at revision {@code olderRevision}:
     * how a node that finds Redis behind what it has in force (a failover to a replica that missed writes, a
     * restore from an old backup) puts its newer state back, instead of stepping back. A compare-and-set: 1 when it
     * wrote, else {@link #MISSING} or {@link #CONFLICT} (someone changed the route meanwhile: read it again).
     */
    long writeBack(RedisAsyncCommands<String, String> redis, String route, RouteState s, long olderRevision) {
        return replace(redis, route, s, Long.toString(olderRevision));
    }

    /** Rewrites a route of graygate's first layout ({@code version} as read) in this one; 1 when it did. */
    long migrate(RedisAsyncCommands<String, String> redis, String route, RouteState s, long legacyVersion) {
        return replace(redis, route, s, "v" + legacyVersion);
    }

    private long replace(RedisAsyncCommands<String, String> redis, String route, RouteState s, String condition) {
        List<String> keys = new ArrayList<>();
        keys.add(routeKey(route));
        keys.add(historyKey(route));
        keys.add(legacyWhitelistKey(route));
        List<String> args = new ArrayList<>();
        args.add(condition);
        args.add(Long.toString(s.revision()));
        args.add(StateCodec.policyJson(s.policy()));
        args.add(namesJson(s.ipSets().keySet()));
        args.add(channel());
        args.add(RedisChangeNotice.reload(route, s.revision()));
        List<HistoryEntry> h = s.history();
        args.add(Integer.toString(h.size()));
        for (int i = h.size() - 1; i >= 0; i--) args.add(StateCodec.historyJson(h.get(i)));
        int entries = 0;
        for (Map.Entry<String, IpSet> set : s.ipSets().entrySet()) {
            keys.add(setKey(route, set.getKey()));
            args.add(Integer.toString(set.getValue().size()));
            set.getValue().forEach(e -> args.add(e.toString()));
            entries += set.getValue().size();
        }
        Long r = REPLACE.run(redis, ScriptOutputType.INTEGER, entries > 10_000 ? loadTimeout : writeTimeout(entries),
                keys.toArray(String[]::new), args);
        return r;
    }

    /**
     * A route as Redis holds it (key sets from {@code keySets}, as this node last read them), or null when Redis
     * does not hold it. A route still in graygate's first layout comes back as {@link Loaded#legacy}, to be
     * migrated.
     */
    Loaded load(RedisAsyncCommands<String, String> redis, String route, Map<String, KeySet> keySets) {
        for (int attempt = 1; ; attempt++) {
            Loaded loaded = loadOnce(redis, route, keySets);
            // Sets read with SSCAN were read after the script: the route must still be at the revision it gave.
            if (loaded == null || !loaded.scanned() || loaded.state() == null) return loaded;
            Long now = revisions(redis, List.of(route)).get(route);
            if (now == loaded.state().revision()) return loaded;
            if (attempt == 3) throw new RedisException("route " + route + " kept changing while its large IP sets were read");
        }
    }

    private Loaded loadOnce(RedisAsyncCommands<String, String> redis, String route, Map<String, KeySet> keySets) {
        List<Object> reply = LOAD.run(redis, ScriptOutputType.MULTI, timeout,
                new String[] {routeKey(route), historyKey(route), legacyWhitelistKey(route)}, List.of(setKeyPrefix(route), Integer.toString(BATCH)));
        if (reply == null || reply.isEmpty()) return null;
        List<String> rejected = new ArrayList<>();
        if (reply.get(0).equals("legacy")) {
            @SuppressWarnings("unchecked")
            IpSet whitelist = entries((List<String>) reply.get(3), rejected);
            String previous = (String) reply.get(4);
            return new Loaded(null, new StateCodec.Legacy(Long.parseLong((String) reply.get(1)), Mode.parse((String) reply.get(2)),
                    previous.isEmpty() ? null : Mode.parse(previous), whitelist), rejected, false);
        }
        long revision = Long.parseLong((String) reply.get(1));
        JsonNode names = StateCodec.tree((String) reply.get(3));
        @SuppressWarnings("unchecked")
        List<Object> members = (List<Object>) reply.get(4);
        Map<String, IpSet> sets = new LinkedHashMap<>();
        boolean scanned = false;
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i).asText();
            @SuppressWarnings("unchecked")
            List<String> whole = members.get(i) instanceof List<?> list ? (List<String>) list : scan(redis, setKey(route, name));
            scanned |= !(members.get(i) instanceof List<?>);
            sets.put(name, entries(whole, rejected));
        }
        @SuppressWarnings("unchecked")
        List<String> newestFirst = (List<String>) reply.get(5);
        List<HistoryEntry> history = new ArrayList<>(newestFirst.size());
        for (int i = newestFirst.size() - 1; i >= 0; i--) history.add(StateCodec.history(newestFirst.get(i)));
        RouteState s = new RouteState(revision, StateCodec.policy((String) reply.get(2)), sets, history, keySets);
        return new Loaded(s, null, rejected, scanned);
    }

    /** Sends {@code entries} {@link #PAGE} at a time, {@link #IN_FLIGHT} commands in flight, each awaited with its own timeout. */
    private void inBatches(List<IpEntry> entries, java.util.function.Function<String[], RedisFuture<Long>> command, String what) {
        java.util.ArrayDeque<RedisFuture<Long>> inFlight = new java.util.ArrayDeque<>();
        for (int i = 0; i < entries.size(); i += PAGE) {
            String[] batch = entries.subList(i, Math.min(entries.size(), i + PAGE)).stream().map(IpEntry::toString).toArray(String[]::new);
            inFlight.add(command.apply(batch));
            if (inFlight.size() == IN_FLIGHT) await(inFlight.poll(), writeTimeout(PAGE * IN_FLIGHT), what);
        }
        while (!inFlight.isEmpty()) await(inFlight.poll(), writeTimeout(PAGE * IN_FLIGHT), what);
    }

    /** Every member of a large set, {@link #PAGE} at a time (SSCAN may repeat a member; the IP set keeps it once). */
    private List<String> scan(RedisAsyncCommands<String, String> redis, String key) {
        List<String> out = new ArrayList<>();
        ScanCursor cursor = ScanCursor.INITIAL;
        do {
            ValueScanCursor<String> page = await(redis.sscan(key, cursor, ScanArgs.Builder.limit(PAGE)), timeout, "SSCAN " + key);
            out.addAll(page.getValues());
            cursor = page;
        } while (!cursor.isFinished());
        return out;
    }

    /**
     * A route read from Redis: its state, or (state null) what the first layout held; and the set members that are
     * not addresses (skipped, warned about once).
     */
    record Loaded(RouteState state, StateCodec.Legacy legacy, List<String> rejected, boolean scanned) {
    }

    private static IpSet entries(List<String> members, List<String> rejected) {
        List<IpEntry> out = new ArrayList<>(members.size());
        for (String m : members) {
            try {
                out.add(IpEntry.parse(m));
            } catch (IllegalArgumentException e) {
                rejected.add(m);
            }
        }
        return IpSet.of(out);
    }

    /**
     * The revision Redis holds for each route: a number, {@link #MISSING}, or {@link Long#MIN_VALUE} for a route
     * still in the first layout (to be migrated).
     */
    Map<String, Long> revisions(RedisAsyncCommands<String, String> redis, List<String> routes) {
        String[] keys = routes.stream().map(this::routeKey).toArray(String[]::new);
        List<Object> reply = REVISIONS.run(redis, ScriptOutputType.MULTI, timeout, keys, List.of());
        Map<String, Long> out = new LinkedHashMap<>();
        for (int i = 0; i < routes.size(); i++) {
            String v = (String) reply.get(i);
            out.put(routes.get(i), v.isEmpty() ? MISSING : v.startsWith("v") ? Long.MIN_VALUE : Long.parseLong(v));
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

    private static String namesJson(Set<String> names) {
        ArrayNode a = PolicyCodec.JSON.createArrayNode();
        names.forEach(a::add);
        return a.toString();
    }

    static <T> T await(RedisFuture<T> future, Duration timeout) {
        return await(future, timeout, "a command");
    }

    /** Waits for one command, up to its own timeout; a timeout names the command and the timeout that was in force. */
    static <T> T await(RedisFuture<T> future, Duration timeout, String what) {
        try {
            return LettuceFutures.awaitOrCancel(future, timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RedisCommandTimeoutException e) {
            throw new RedisTimeoutException(what, timeout);
        }
    }

    /** A Lua script run by its SHA-1, sent in full only when the server does not know it yet (after a restart). */
    private static final class Script {
        private final String name;
        private final String source;
        private final String sha;

        /** A script on a route hash (KEYS[1]), run behind {@link #FORMAT_GUARD}, {@code {FORMAT}} in it the format written. */
        static Script onRoute(String name, String source) {
            return new Script(name, (FORMAT_GUARD + source).replace("{FORMAT}", Integer.toString(StateCodec.FORMAT)));
        }

        Script(String name, String source) {
            this.name = "script " + name;
            this.source = source;
            this.sha = sha1(source);
        }

        <T> T run(RedisAsyncCommands<String, String> redis, ScriptOutputType type, Duration timeout, String[] keys, List<String> args) {
            String[] values = args.toArray(String[]::new);
            try {
                return await(redis.evalsha(sha, type, keys, values), timeout, name);
            } catch (RedisNoScriptException e) {
                return await(redis.eval(source, type, keys, values), timeout, name);
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
