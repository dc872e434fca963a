package io.graygate.store.redis;

import io.graygate.audit.AuditCodec;
import io.graygate.audit.AuditEntry;
import io.graygate.audit.AuditSink;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.api.sync.RedisCommands;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

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
    private final SideConnection connection;

    public RedisAuditStream(RedisStoreUri uri, long maxEntries) {
        this.uri = uri;
        this.key = uri.prefix() + "audit";
        this.maxEntries = maxEntries;
        this.connection = new SideConnection(uri);
    }

    public String key() {
        return key;
    }

    @Override
    public void append(List<AuditEntry> entries) {
        XAddArgs trim = XAddArgs.Builder.maxlen(maxEntries).approximateTrimming();
        connection.call("append to the audit stream " + key, r -> {
            for (AuditEntry e : entries) r.xadd(key, trim, AuditCodec.fields(e));
            return null;
        });
    }

    @Override
    public List<AuditEntry> read(String route, Instant since, int limit) {
        return connection.call("read the audit stream " + key, r -> read(r, route, since, limit));
    }

    private List<AuditEntry> read(RedisCommands<String, String> redis, String route, Instant since, int limit) {
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

    @Override
    public String describe() {
        return "stream " + key + " on " + uri.hosts().get(0);
    }

    @Override
    public void close() {
        connection.close();
    }
}
