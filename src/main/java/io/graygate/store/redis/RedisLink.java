package io.graygate.store.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * The Redis store's two connections: one for commands, shared by every thread (Lettuce's connections are), and one
 * subscribed to the change channel and the watched keys; behind Sentinel, one more per sentinel, subscribed to
 * {@value #SWITCH_MASTER}. No automatic reconnect: the store reconnects by itself, so
 * that a write is made at most once (never replayed after an outage it was refused in) and every reconnect is
 * followed by a full reload. Lettuce's own command timeout is off: each call waits as long as its kind needs
 * ({@link RedisLayout}), so a million-entry read is not cut off at the write timeout.
 */
final class RedisLink implements AutoCloseable {

    private final RedisStoreUri uri;
    private final ClientResources resources;
    private final RedisClient client;
    private volatile StatefulRedisConnection<String, String> connection;
    private volatile StatefulRedisPubSubConnection<String, String> pubsub;
    private volatile boolean primaryHasReplicas;
    private final List<StatefulRedisPubSubConnection<String, String>> sentinelWatch = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** The Sentinel channel announcing a new primary: "name old-ip old-port new-ip new-port". */
    static final String SWITCH_MASTER = "+switch-master";

    RedisLink(RedisStoreUri uri) {
        this.uri = uri;
        this.resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2).build();
        this.client = RedisClient.create(resources);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(false)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .protocolVersion(ProtocolVersion.RESP2)
                .timeoutOptions(TimeoutOptions.builder().timeoutCommands(false).build())
                .socketOptions(SocketOptions.builder().connectTimeout(uri.timeout()).keepAlive(true).build())
                .build());
    }

    /**
     * Opens both connections and subscribes to {@code channels}; {@code onMessage} gets (channel, message) on a
     * Lettuce thread, which must only hand the work over.
     *
     * @throws RedisException when Redis cannot be reached; nothing is left open
     */
    void connect(List<String> channels, BiConsumer<String, String> onMessage) {
        RedisURI target = uri.toLettuce();
        StatefulRedisConnection<String, String> c = client.connect(StringCodec.UTF8, target);
        StatefulRedisPubSubConnection<String, String> p;
        try {
            p = client.connectPubSub(StringCodec.UTF8, target);
            p.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    onMessage.accept(channel, message);
                }
            });
            RedisLayout.await(p.async().subscribe(channels.toArray(String[]::new)), uri.timeout());
        } catch (RuntimeException e) {
            c.closeAsync();
            throw e;
        }
        primaryHasReplicas = hasReplicas(c);
        connection = c;
        pubsub = p;
        if (uri.sentinel()) watchSentinels(onMessage);
    }

    /**
     * Subscribes to {@value #SWITCH_MASTER} on every sentinel that answers, so that a promotion is followed at once
     * rather than when the demoted primary first refuses a write; a sentinel that cannot be reached is skipped (the
     * READONLY answer and the revision check still catch the switch).
     */
    private void watchSentinels(BiConsumer<String, String> onMessage) {
        String prefix = uri.masterName() + " ";
        for (io.graygate.config.HostPort h : uri.hosts()) {
            RedisURI at = RedisURI.Builder.redis(h.host(), h.port()).withTimeout(uri.timeout()).build();
            try {
                StatefulRedisPubSubConnection<String, String> s = client.connectPubSub(StringCodec.UTF8, at);
                s.addListener(new RedisPubSubAdapter<>() {
                    @Override
                    public void message(String channel, String message) {
                        if (channel.equals(SWITCH_MASTER) && message.startsWith(prefix)) onMessage.accept(channel, message);
                    }
                });
                RedisLayout.await(s.async().subscribe(SWITCH_MASTER), uri.timeout(), "SUBSCRIBE " + SWITCH_MASTER);
                sentinelWatch.add(s);
            } catch (RedisException e) {
                // this sentinel is down or asks for a password: the others, and READONLY, still tell
            }
        }
    }

    /** Whether the server connected to is a primary with replicas attached (ROLE); false when it cannot say. */
    private boolean hasReplicas(StatefulRedisConnection<String, String> c) {
        try {
            List<Object> role = RedisLayout.await(c.async().role(), uri.timeout(), "ROLE");
            return role.size() > 2 && role.get(2) instanceof List<?> replicas && !replicas.isEmpty();
        } catch (RedisException e) {
            return false; // ROLE renamed or refused (managed Redis): only an explicit minReplicas= waits then
        }
    }

    /**
     * How many replicas must confirm a write before it is acknowledged: {@code minReplicas=} when given, else one
     * when the primary had replicas when this node connected to it. Decided at connect, not per write: while a
     * failover is under way the promoted replica has left the old primary's list, and a write that then waited for
     * no replica would be acknowledged on a primary about to be demoted, and lost.
     */
    int replicasToConfirm() {
        int wanted = uri.minReplicas();
        if (wanted != RedisStoreUri.AUTO_REPLICAS) return wanted;
        return primaryHasReplicas ? 1 : 0;
    }

    /** True while both connections are open. */
    boolean isOpen() {
        StatefulRedisConnection<String, String> c = connection;
        StatefulRedisPubSubConnection<String, String> p = pubsub;
        return c != null && c.isOpen() && p != null && p.isOpen();
    }

    /** The command connection's commands. @throws RedisException while not connected */
    RedisAsyncCommands<String, String> commands() {
        StatefulRedisConnection<String, String> c = connection;
        if (c == null || !c.isOpen()) throw new RedisException("not connected");
        return c.async();
    }

    void disconnect() {
        StatefulRedisConnection<String, String> c = connection;
        StatefulRedisPubSubConnection<String, String> p = pubsub;
        connection = null;
        pubsub = null;
        if (c != null) c.closeAsync();
        if (p != null) p.closeAsync();
        for (StatefulRedisPubSubConnection<String, String> s : sentinelWatch) s.closeAsync();
        sentinelWatch.clear();
    }

    @Override
    public void close() {
        disconnect();
        client.shutdown(0, 2, TimeUnit.SECONDS);
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
}
