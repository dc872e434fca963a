package io.graygate.store.redis;

import io.graygate.store.RolloutRecords;
import io.graygate.store.StoreUnavailableException;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

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
    private final ClientResources resources;
    private final RedisClient client;
    private StatefulRedisConnection<String, String> connection;
    private boolean closed;

    public RedisRolloutRecords(RedisStoreUri uri) {
        this.uri = uri;
        this.resources = DefaultClientResources.builder().ioThreadPoolSize(1).computationThreadPoolSize(1).build();
        this.client = RedisClient.create(resources);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(false)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .protocolVersion(ProtocolVersion.RESP2)
                .timeoutOptions(TimeoutOptions.enabled(uri.timeout()))
                .socketOptions(SocketOptions.builder().connectTimeout(uri.timeout()).keepAlive(true).build())
                .build());
    }

    private String recordKey(String route) {
        return uri.prefix() + "rollout:" + route;
    }

    private String leaseKey(String route) {
        return uri.prefix() + "rollout-lease:" + route;
    }

    @Override
    public Stored read(String route) {
        return call("read the rollout of route " + route, redis -> {
            List<io.lettuce.core.KeyValue<String, String>> fields = redis.hmget(recordKey(route), "generation", "json");
            if (fields.get(0).isEmpty() || fields.get(1).isEmpty()) return null;
            return new Stored(Long.parseLong(fields.get(0).getValue()), fields.get(1).getValue());
        });
    }

    @Override
    public Outcome write(String route, long expected, String json, String holder) {
        long r = call("write the rollout of route " + route, redis -> redis.<Long>eval(WRITE, ScriptOutputType.INTEGER,
                new String[]{recordKey(route), leaseKey(route)}, holder == null ? "" : holder, Long.toString(expected), json));
        if (r == -1) return Outcome.NOT_HOLDER;
        if (r == -2) return Outcome.CONFLICT;
        return Outcome.WRITTEN;
    }

    @Override
    public boolean lease(String route, String node, Duration ttl) {
        return call("take the rollout lease of route " + route, redis -> {
            if ("OK".equals(redis.set(leaseKey(route), node, SetArgs.Builder.nx().px(ttl.toMillis())))) return true;
            Long renewed = redis.eval(RENEW, ScriptOutputType.INTEGER, new String[]{leaseKey(route)}, node, Long.toString(ttl.toMillis()));
            return renewed != null && renewed == 1;
        });
    }

    @Override
    public void release(String route, String node) {
        try {
            call("release the rollout lease of route " + route,
                    redis -> redis.eval(RELEASE, ScriptOutputType.INTEGER, new String[]{leaseKey(route)}, node));
        } catch (StoreUnavailableException e) {
            // it expires by itself
        }
    }

    @Override
    public String holder(String route) {
        return call("read the rollout lease of route " + route, redis -> redis.get(leaseKey(route)));
    }

    @Override
    public boolean shared() {
        return true;
    }

    private interface Call<T> {
        T on(RedisCommands<String, String> redis);
    }

    private <T> T call(String what, Call<T> call) {
        RedisCommands<String, String> redis;
        synchronized (this) {
            if (closed) throw new StoreUnavailableException("the rollout records are closed", null);
            try {
                if (connection == null || !connection.isOpen()) {
                    if (connection != null) connection.closeAsync();
                    connection = null;
                    connection = client.connect(StringCodec.UTF8, uri.toLettuce());
                }
                redis = connection.sync();
            } catch (RedisException e) {
                throw new StoreUnavailableException("cannot " + what + ": Redis at " + uri + " is unreachable (" + RedisSync.describe(e) + ")", e);
            }
        }
        try {
            return call.on(redis);
        } catch (RedisException e) {
            synchronized (this) {
                if (connection != null) connection.closeAsync();
                connection = null;
            }
            throw new StoreUnavailableException("cannot " + what + ": Redis at " + uri + " failed (" + RedisSync.describe(e) + ")", e);
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) return;
            closed = true;
            if (connection != null) connection.closeAsync();
        }
        client.shutdown(0, 2, TimeUnit.SECONDS);
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
}
