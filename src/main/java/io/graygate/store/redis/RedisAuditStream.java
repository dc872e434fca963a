package io.graygate.store.redis;

import io.graygate.audit.AuditCodec;
import io.graygate.audit.AuditEntry;
import io.graygate.audit.AuditSink;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Redis store's audit log: the stream {@code PREFIXaudit} (by default {@code graygate:audit}), one entry per
 * change with the fields time, actor, node, route, change, revisionBefore and revisionAfter, added with
 * {@code XADD ... MAXLEN ~ maxEntries} so that Redis trims it cheaply to about that length. Its own connection, apart
 * from the store's: an audit write never waits behind a rule change, nor a rule change behind it.
 */
public final class RedisAuditStream implements AuditSink {

    /** Entries read per XREVRANGE while looking for one route's, or for entries since a time. */
    private static final int PAGE = 500;
    /** How far out of order (clocks of different nodes) entries may be and still be found by {@code since}. */
    private static final Duration SKEW = Duration.ofMinutes(1);

    private final RedisStoreUri uri;
    private final String key;
    private final long maxEntries;
    private final ClientResources resources;
    private final RedisClient client;
    private StatefulRedisConnection<String, String> connection;

    public RedisAuditStream(RedisStoreUri uri, long maxEntries) {
        this.uri = uri;
        this.key = uri.prefix() + "audit";
        this.maxEntries = maxEntries;
        this.resources = DefaultClientResources.builder().ioThreadPoolSize(1).computationThreadPoolSize(1).build();
        this.client = RedisClient.create(resources);
        client.setOptions(ClientOptions.builder()
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .protocolVersion(ProtocolVersion.RESP2)
                .timeoutOptions(TimeoutOptions.enabled(uri.timeout()))
                .socketOptions(SocketOptions.builder().connectTimeout(uri.timeout()).keepAlive(true).build())
                .build());
    }

    public String key() {
        return key;
    }

    @Override
    public void append(List<AuditEntry> entries) {
        RedisCommands<String, String> redis = commands();
        XAddArgs trim = XAddArgs.Builder.maxlen(maxEntries).approximateTrimming();
        for (AuditEntry e : entries) redis.xadd(key, trim, AuditCodec.fields(e));
    }

    @Override
    public List<AuditEntry> read(String route, Instant since, int limit) {
        RedisCommands<String, String> redis = commands();
        List<AuditEntry> out = new ArrayList<>();
        Range.Boundary<String> upper = Range.Boundary.unbounded();
        Instant oldest = since == null ? null : since.minus(SKEW);
        while (out.size() < limit) {
            List<StreamMessage<String, String>> page = redis.xrevrange(key, Range.from(Range.Boundary.unbounded(), upper), Limit.from(PAGE));
            for (StreamMessage<String, String> m : page) {
                AuditEntry e;
                try {
                    e = AuditCodec.fromFields(m.getBody());
                } catch (IllegalArgumentException bad) {
                    continue; // not one of ours
                }
                if (oldest != null && e.time().isBefore(oldest)) return out;
                if ((route == null || route.equals(e.route())) && (since == null || !e.time().isBefore(since))) {
                    out.add(e);
                    if (out.size() == limit) return out;
                }
            }
            if (page.size() < PAGE) return out;
            upper = Range.Boundary.excluding(page.get(page.size() - 1).getId());
        }
        return out;
    }

    private synchronized RedisCommands<String, String> commands() {
        if (connection == null || !connection.isOpen()) {
            if (connection != null) connection.closeAsync();
            connection = null;
            connection = client.connect(StringCodec.UTF8, uri.toLettuce());
        }
        return connection.sync();
    }

    @Override
    public String describe() {
        return "stream " + key + " on " + uri.hosts().get(0);
    }

    @Override
    public synchronized void close() {
        if (connection != null) connection.closeAsync();
        connection = null;
        client.shutdown(0, 2, TimeUnit.SECONDS);
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
}
