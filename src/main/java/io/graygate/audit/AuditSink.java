package io.graygate.audit;

import java.time.Instant;
import java.util.List;

/** Where a {@link QueuedAuditLog} writes: may block and throw; called from the audit thread (writes) and admin workers (reads). */
public interface AuditSink extends AutoCloseable {

    /** Writes entries, oldest first, all or (on failure) possibly some; may block. */
    void append(List<AuditEntry> entries) throws Exception;

    /** As {@link AuditLog#read}; throws when the entries cannot be read now. */
    List<AuditEntry> read(String route, Instant since, int limit) throws Exception;

    /** Where the entries go, for the log: the file's path or the stream's key. */
    String describe();

    @Override
    void close();
}
