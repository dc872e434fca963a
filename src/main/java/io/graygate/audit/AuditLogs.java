package io.graygate.audit;

import io.graygate.config.GatewayConfig;
import io.graygate.store.redis.RedisAuditStream;
import io.graygate.store.redis.RedisStoreUri;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/** Opens the audit log that goes with a configuration's store, and the do-nothing stand-in. */
public final class AuditLogs {

    private AuditLogs() {
    }

    /** A JSON-lines file beside the rules file for {@code file:PATH}, the stream {@code PREFIXaudit} for a Redis store. */
    public static QueuedAuditLog forConfig(GatewayConfig config) {
        String store = config.store();
        if (store.startsWith("file:")) {
            Path rules = Path.of(store.substring("file:".length()));
            return new QueuedAuditLog(new AuditFile(AuditFile.besideRules(rules), config.audit().maxFileSize(), config.audit().keepFiles()));
        }
        return new QueuedAuditLog(new RedisAuditStream(RedisStoreUri.parse(store), config.audit().maxEntries()));
    }

    /** Records nothing and reads nothing: for a rule book made without one (tests, tools). */
    public static AuditLog none() {
        return None.INSTANCE;
    }

    private enum None implements AuditLog {
        INSTANCE;

        @Override
        public void record(AuditEntry entry) {
        }

        @Override
        public List<AuditEntry> read(String route, Instant since, int limit) {
            return List.of();
        }
    }
}
