package io.graygate.store.redis;

import io.graygate.store.RolloutRecords;
import io.graygate.store.StoreUnavailableException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.sync.RedisCommands;

import java.time.Duration;
import java.util.List;

/**
 * Rollout records in Redis, on a connection of their own: each route's record is a hash {@code PREFIXrollout:ROUTE}
 * (generation, json), its lease the key {@code PREFIXrollout-lease:ROUTE} holding the driving node's id with a
 * time to live ({@code SET NX PX}, renewed by the holder). A write is one script: the lease check, the
 * compare-and-set on the generation and the write, atomically. Commands fail at once while Redis is away (nothing
 * is queued to be replayed later), so a node that loses Redis stops driving.
 */
public final class RedisRolloutRecords implements RolloutRecords {

    private static final String WRITE = """
            if ARGV[1] ~= '' and redis.call('GET', KEYS[2]) ~= ARGV[1] then return -1 end
            local g = tonumber(redis.call('HGET', KEYS[1], 'generation') or '0')
            if g ~= tonumber(ARGV[2]) then return -2 end
            redis.call('HSET', KEYS[1], 'generation', g + 1, 'json', ARGV[3])
            return g + 1
            """;
    private static final String RENEW = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
            return 0
            """;
    private static final String RELEASE = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) return 1 end
            return 0
            """;

    private final RedisStoreUri uri;
    private final SideConnection connection;

    public RedisRolloutRecords(RedisStoreUri uri) {
        this.uri = uri;
        this.connection = new SideConnection(uri);
    }

    private String recordKey(String route) {
        return uri.prefix() + "rollout:" + route;
    }

    private String leaseKey(String route) {
        return uri.prefix() + "rollout-lease:" + route;
    }

    @Override
    public Stored read(String route) {
        return connection.call("read the rollout of route " + route, redis -> {
            List<io.lettuce.core.KeyValue<String, String>> fields = redis.hmget(recordKey(route), "generation", "json");
            if (fields.get(0).isEmpty() || fields.get(1).isEmpty()) return null;
            return new Stored(Long.parseLong(fields.get(0).getValue()), fields.get(1).getValue());
        });
    }

    @Override
    public Outcome write(String route, long expected, String json, String holder) {
        long r = connection.call("write the rollout of route " + route, redis -> redis.<Long>eval(WRITE, ScriptOutputType.INTEGER,
                new String[]{recordKey(route), leaseKey(route)}, holder == null ? "" : holder, Long.toString(expected), json));
        if (r == -1) return Outcome.NOT_HOLDER;
        if (r == -2) return Outcome.CONFLICT;
        return Outcome.WRITTEN;
    }

    @Override
    public boolean lease(String route, String node, Duration ttl) {
        return connection.call("take the rollout lease of route " + route, redis -> {
            if ("OK".equals(redis.set(leaseKey(route), node, SetArgs.Builder.nx().px(ttl.toMillis())))) return true;
            Long renewed = redis.eval(RENEW, ScriptOutputType.INTEGER, new String[]{leaseKey(route)}, node, Long.toString(ttl.toMillis()));
            return renewed != null && renewed == 1;
        });
    }

    @Override
    public void release(String route, String node) {
        try {
            connection.call("release the rollout lease of route " + route,
                    redis -> redis.eval(RELEASE, ScriptOutputType.INTEGER, new String[]{leaseKey(route)}, node));
        } catch (StoreUnavailableException e) {
            // it expires by itself
        }
    }

    @Override
    public String holder(String route) {
        return connection.call("read the rollout lease of route " + route, redis -> redis.get(leaseKey(route)));
    }

    @Override
    public boolean shared() {
        return true;
    }

    @Override
    public void close() {
        connection.close();
    }
}
