package io.graygate.audit;

import java.time.Instant;
import java.util.List;

/**
 * Where rule changes and rollout events are recorded: a Redis stream with the Redis store, an append-only
 * JSON-lines file beside the rules file with the file store.
 */
public interface AuditLog {

    /**
     * Records an entry without blocking the caller on I/O and without ever throwing: a change the store accepted
     * is never delayed or failed by its audit write; a failed write is logged once.
     */
    void record(AuditEntry entry);

    /** Entries newest first, of one route ({@code null}: every route), not older than {@code since} (may be null). */
    List<AuditEntry> read(String route, Instant since, int limit);
}
