package io.graygate.store.redis;

import io.graygate.store.StoreUnavailableException;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;

import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A Redis connection of its own beside the store's, for the audit stream and the rollout records: opened on first
 * use, opened again on the next call after it is lost, and never with a lock held across the connect, a command or
 * the close (two callers racing to reconnect each connect, and the loser closes its spare).
 */
final class SideConnection implements AutoCloseable {

    private final RedisStoreUri uri;
    private final ClientResources resources;
    private final RedisClient client;
    private volatile StatefulRedisConnection<String, String> connection;
    private volatile boolean closed;

    SideConnection(RedisStoreUri uri) {
        this.uri = uri;
        this.resources = DefaultClientResources.builder().ioThreadPoolSize(1).computationThreadPoolSize(1).build();
        this.client = RedisClient.create(resources);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(false) // a lost connection is opened again by the next call, not retried behind it
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .protocolVersion(ProtocolVersion.RESP2)
                .timeoutOptions(TimeoutOptions.enabled(uri.timeout()))
                .socketOptions(SocketOptions.builder().connectTimeout(uri.timeout()).keepAlive(true).build())
                .build());
    }

    /**
     * Runs {@code call} on the connection; a Redis failure closes it (the next call connects again).
     *
     * @throws StoreUnavailableException naming {@code what} when Redis cannot be reached or the call fails
     */
    <T> T call(String what, Function<RedisCommands<String, String>, T> call) {
        StatefulRedisConnection<String, String> c = open(what);
        try {
            return call.apply(c.sync());
        } catch (RedisException e) {
            drop(c);
            throw new StoreUnavailableException("cannot " + what + ": Redis at " + uri + " failed (" + RedisSync.describe(e) + ")", e);
        }
    }

    private StatefulRedisConnection<String, String> open(String what) {
        if (closed) throw new StoreUnavailableException("cannot " + what + ": closed", null);
        StatefulRedisConnection<String, String> c = connection;
        if (c != null && c.isOpen()) return c;
        StatefulRedisConnection<String, String> fresh;
        try {
            fresh = client.connect(StringCodec.UTF8, uri.toLettuce());
        } catch (RedisException e) {
            throw new StoreUnavailableException("cannot " + what + ": Redis at " + uri + " is unreachable (" + RedisSync.describe(e) + ")", e);
        }
        StatefulRedisConnection<String, String> spare = null;
        StatefulRedisConnection<String, String> use;
        synchronized (this) {
            StatefulRedisConnection<String, String> now = connection;
            if (closed || (now != null && now != c && now.isOpen())) {
                spare = fresh; // closed meanwhile, or another caller reconnected first
                use = closed ? null : now;
            } else {
                spare = now;
                connection = fresh;
                use = fresh;
            }
        }
        if (spare != null) spare.closeAsync();
        if (use == null) throw new StoreUnavailableException("cannot " + what + ": closed", null);
        return use;
    }

    private void drop(StatefulRedisConnection<String, String> failed) {
        synchronized (this) {
            if (connection != failed) return;
            connection = null;
        }
        failed.closeAsync();
    }

    @Override
    public void close() {
        StatefulRedisConnection<String, String> c;
        synchronized (this) {
            if (closed) return;
            closed = true;
            c = connection;
            connection = null;
        }
        if (c != null) c.closeAsync();
        client.shutdown(0, 2, TimeUnit.SECONDS);
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
}
