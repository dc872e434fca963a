package io.graygate.audit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The audit log that keeps its I/O off the caller: {@link #record} offers the entry to a bounded queue and returns,
 * and one thread of its own writes batches to the {@link AuditSink}. A failed write is logged once, kept and tried
 * again every {@link #RETRY} until it goes through (then that is logged once too); entries beyond the queue's
 * capacity are dropped and counted rather than ever blocking the change that made them.
 */
public final class QueuedAuditLog implements AuditLog, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(QueuedAuditLog.class);
    static final int CAPACITY = 10_000;
    static final Duration RETRY = Duration.ofSeconds(1);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    private final AuditSink sink;
    private final BlockingQueue<AuditEntry> queue;
    private final int capacity;
    private final AtomicLong dropped = new AtomicLong();
    private final Thread writer;
    private volatile boolean closing;

    public QueuedAuditLog(AuditSink sink) {
        this(sink, CAPACITY);
    }

    QueuedAuditLog(AuditSink sink, int capacity) {
        this.sink = sink;
        this.capacity = capacity;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.writer = new Thread(this::run, "graygate-audit");
        writer.setDaemon(true);
        writer.start();
    }

    @Override
    public void record(AuditEntry entry) {
        if (entry == null) return;
        if (closing || !queue.offer(entry)) dropped.incrementAndGet();
    }

    @Override
    public List<AuditEntry> read(String route, Instant since, int limit) {
        try {
            return sink.read(route, since, limit);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** Entries given up on: the queue was full (the sink away too long) or the log closing. */
    public long dropped() {
        return dropped.get();
    }

    public String describe() {
        return sink.describe();
    }

    private void run() {
        List<AuditEntry> batch = new ArrayList<>();
        String failing = null; // the failure logged, until a write goes through again
        long reportedDrops = 0;
        while (true) {
            if (batch.isEmpty()) {
                boolean last = closing; // read before polling: an entry queued before close() is still written
                AuditEntry first = poll();
                if (first == null) {
                    if (last) return;
                    continue;
                }
                batch.add(first);
            }
            queue.drainTo(batch, Math.max(0, capacity - batch.size()));
            try {
                sink.append(batch);
                if (failing != null) log.info("audit log {}: writing again ({} entries were waiting)", sink.describe(), batch.size());
                failing = null;
                batch.clear();
            } catch (Exception e) {
                if (failing == null) {
                    failing = String.valueOf(e.getMessage());
                    log.warn("audit log {}: cannot write ({}); the rule changes stand, their entries wait and are tried again every {} ms",
                            sink.describe(), failing, RETRY.toMillis());
                }
                if (closing) {
                    dropped.addAndGet(batch.size() + queue.size());
                    log.warn("audit log {}: closing with {} entries unwritten", sink.describe(), batch.size() + queue.size());
                    return;
                }
                pause();
            }
            long d = dropped.get();
            if (d != reportedDrops) {
                log.warn("audit log {}: {} entries dropped so far (queue full)", sink.describe(), d);
                reportedDrops = d;
            }
        }
    }

    /** The writer is never interrupted: an interrupt would close a file channel in the middle of a write. */
    private AuditEntry poll() {
        try {
            return queue.poll(POLL.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            return null;
        }
    }

    /** Waits {@link #RETRY}, or less when the log is closing (one last try follows). */
    private void pause() {
        long until = System.nanoTime() + RETRY.toNanos();
        while (!closing && System.nanoTime() < until) {
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Writes what is queued (waiting at most a few seconds), then closes the sink. Harmless to call twice. */
    @Override
    public synchronized void close() {
        if (closing) return;
        closing = true;
        try {
            writer.join(CLOSE_WAIT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sink.close();
    }
}
