package io.graygate.audit;

import ch.qos.logback.classic.Level;
import io.graygate.testing.LogCapture;
import io.graygate.testing.Polling;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** The queue in front of an audit sink: the caller never waits for it, a failure is logged once, and entries wait for the sink to come back. */
class QueuedAuditLogTest {

    /** A sink that fails while {@code failing} is set and blocks while {@code blocked} is held. */
    private static final class TestSink implements AuditSink {
        final List<AuditEntry> written = new CopyOnWriteArrayList<>();
        final AtomicBoolean failing = new AtomicBoolean();
        volatile CountDownLatch blocked = new CountDownLatch(0);

        @Override
        public void append(List<AuditEntry> entries) throws Exception {
            blocked.await();
            if (failing.get()) throw new java.io.IOException("disk full");
            written.addAll(entries);
        }

        @Override
        public List<AuditEntry> read(String route, Instant since, int limit) {
            return List.copyOf(written);
        }

        @Override
        public String describe() {
            return "test sink";
        }

        @Override
        public void close() {
        }
    }

    private static AuditEntry entry(int i) {
        return new AuditEntry(Instant.now(), "admin", "node", "demo", "change " + i, i, i + 1);
    }

    @Test
    void aFailingSinkIsLoggedOnceAndItsEntriesAreWrittenWhenItRecovers() {
        TestSink sink = new TestSink();
        sink.failing.set(true);
        try (LogCapture logs = LogCapture.of(Level.INFO, QueuedAuditLog.class.getName());
             QueuedAuditLog log = new QueuedAuditLog(sink)) {
            for (int i = 0; i < 50; i++) log.record(entry(i));
            Polling.await("the failure to be logged", Duration.ofSeconds(5), () -> logs.lines().stream().anyMatch(l -> l.contains("cannot write")));
            for (int i = 50; i < 100; i++) log.record(entry(i));
            sink.failing.set(false);
            Polling.await("every entry written", Duration.ofSeconds(10), () -> sink.written.size() == 100);
            assertThat(sink.written).extracting(AuditEntry::revisionBefore).isSorted();
            assertThat(logs.lines()).filteredOn(l -> l.contains("cannot write")).hasSize(1);
            assertThat(logs.lines()).filteredOn(l -> l.contains("writing again")).hasSize(1);
        }
    }

    @Test
    void recordingNeverWaitsForABlockedSinkAndWhatOverflowsIsDroppedAndCounted() throws Exception {
        TestSink sink = new TestSink();
        sink.blocked = new CountDownLatch(1);
        QueuedAuditLog log = new QueuedAuditLog(sink, 100);
        try {
            log.record(entry(0));
            for (int i = 1; i <= 1_000; i++) log.record(entry(i)); // would hang here if record waited for the sink
            assertThat(log.dropped()).isGreaterThan(0);
            sink.blocked.countDown();
            Polling.await("the queued entries written", Duration.ofSeconds(10), () -> sink.written.size() + log.dropped() == 1_001);
        } finally {
            sink.blocked.countDown();
            log.close();
        }
        assertThat(sink.written.get(0).revisionBefore()).isZero();
    }

    @Test
    void closeWritesWhatIsQueuedAndIsHarmlessTwice() throws Exception {
        TestSink sink = new TestSink();
        QueuedAuditLog log = new QueuedAuditLog(sink);
        for (int i = 0; i < 10; i++) log.record(entry(i));
        log.close();
        log.close();
        assertThat(sink.written).hasSize(10);
        log.record(entry(11)); // after close: dropped, never thrown
        assertThat(log.dropped()).isEqualTo(1);
    }
}
