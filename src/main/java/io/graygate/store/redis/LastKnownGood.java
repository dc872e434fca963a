package io.graygate.store.redis;

import io.graygate.store.RouteState;
import io.graygate.store.file.RulesFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The Redis store's copy of the rules on local disk, so that a node can start while Redis is unreachable. Every
 * snapshot handed to {@link #save} is written atomically by a thread of its own; snapshots that arrive while one is
 * being written collapse into the latest, so a burst of changes costs one or two writes, never a queue.
 */
final class LastKnownGood implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LastKnownGood.class);

    private final Path file;
    private final AtomicReference<Map<String, RouteState>> pending = new AtomicReference<>();
    private final ExecutorService writer;
    private boolean failing;

    LastKnownGood(Path file) {
        this.file = file.toAbsolutePath().normalize();
        this.writer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "graygate-snapshot-writer");
            t.setDaemon(true);
            return t;
        });
    }

    Path file() {
        return file;
    }

    /**
     * The states last written, or empty when there is no snapshot (or it cannot be read, which is logged); a snapshot
     * of graygate's first release is migrated with {@code seeds}.
     */
    Optional<Saved> read(Map<String, RouteState> seeds) {
        if (!Files.exists(file)) return Optional.empty();
        try {
            return Optional.of(new Saved(RulesFile.read(file, seeds).states(), Files.getLastModifiedTime(file).toInstant()));
        } catch (IllegalStateException | java.io.IOException e) {
            log.warn("ignoring the last-known-good snapshot: {}", e.getMessage());
            return Optional.empty();
        }
    }

    /** Rules read back from disk and when they were written. */
    record Saved(Map<String, RouteState> routes, Instant savedAt) {
    }

    /** Queues these rules to be written; returns at once. */
    void save(Map<String, RouteState> routes) {
        if (pending.getAndSet(Map.copyOf(routes)) == null) writer.execute(this::writePending);
    }

    private void writePending() {
        Map<String, RouteState> routes = pending.getAndSet(null);
        if (routes == null) return;
        try {
            RulesFile.write(file, routes);
            if (failing) log.info("last-known-good snapshot {} written again", file);
            failing = false;
        } catch (UncheckedIOException e) {
            if (!failing) log.warn("cannot write the last-known-good snapshot {}: {}", file, e.getCause().getMessage());
            failing = true;
        }
    }

    /** Writes what is still queued, then stops the writer thread. */
    @Override
    public void close() {
        writer.shutdown();
        try {
            if (!writer.awaitTermination(10, TimeUnit.SECONDS)) log.warn("the last-known-good snapshot {} was still being written at close", file);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
