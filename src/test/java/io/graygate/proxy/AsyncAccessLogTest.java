package io.graygate.proxy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.graygate.config.ServerAddress;
import io.netty.handler.codec.http.HttpMethod;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The access log: off the event loops, bounded, counting what it drops, and silent when switched off. */
class AsyncAccessLogTest {

    private static final UpstreamServer SERVER =
            new UpstreamServer("gray", ServerAddress.parse("127.0.0.1:9002"), new InetSocketAddress("127.0.0.1", 9002), 1, 1, 1_000_000_000L);

    /** Holds the writer thread inside the logger until released, as a stuck disk would. */
    private static final class BlockingAppender extends AppenderBase<ILoggingEvent> {
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch entered = new CountDownLatch(1);
        final List<String> lines = new CopyOnWriteArrayList<>();

        @Override
        protected void append(ILoggingEvent e) {
            entered.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            lines.add(e.getFormattedMessage());
        }
    }

    @Test
    void aStuckWriterCostsTheCallersNothingAndDroppedLinesAreCounted() throws InterruptedException {
        Logger access = (Logger) LoggerFactory.getLogger(AsyncAccessLog.LOGGER);
        BlockingAppender appender = new BlockingAppender();
        appender.start();
        access.addAppender(appender);
        AsyncAccessLog log = new AsyncAccessLog(8);
        try {
            String client = "10.1.2.3";
            log.record("demo", "gray", "whitelist", null, SERVER, 200, 1_234_567, client, HttpMethod.GET, "/first", null);
            assertThat(appender.entered.await(5, TimeUnit.SECONDS)).isTrue();
            long start = System.nanoTime();
            for (int i = 0; i < 100; i++) log.record("demo", "gray", "whitelist", null, SERVER, 200, 1_000, client, HttpMethod.GET, "/n" + i, null);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
            assertThat(log.dropped()).isGreaterThanOrEqualTo(100 - 8 - 8); // the queue may round its capacity up
            appender.release.countDown();
        } finally {
            log.close();
            access.detachAppender(appender);
        }
        assertThat(appender.lines).hasSize(101 - (int) log.dropped());
        assertThat(appender.lines.get(0)).isEqualTo(
                "route=demo version=gray rule=whitelist upstream=127.0.0.1:9002 status=200 ms=1.234 client=10.1.2.3 method=GET path=/first");
    }

    /** Holds lines back until flushed, as {@link BatchedStdoutAppender} does with its buffer. */
    private static final class HoldingAppender extends AppenderBase<ILoggingEvent> implements java.io.Flushable {
        final List<String> held = new CopyOnWriteArrayList<>();
        final List<String> written = new CopyOnWriteArrayList<>();

        @Override
        protected void append(ILoggingEvent e) {
            held.add(e.getFormattedMessage());
        }

        @Override
        public synchronized void flush() {
            List<String> batch = List.copyOf(held);
            held.removeAll(batch);
            written.addAll(batch);
        }
    }

    @Test
    void linesHeldBackByABatchingAppenderAreWrittenOnceTheWriterHasCaughtUp() {
        Logger access = (Logger) LoggerFactory.getLogger(AsyncAccessLog.LOGGER);
        HoldingAppender appender = new HoldingAppender();
        appender.start();
        access.addAppender(appender);
        AsyncAccessLog log = new AsyncAccessLog(64);
        try {
            String client = "10.1.2.3";
            for (int i = 0; i < 3; i++) log.record("demo", "gray", "whitelist", null, SERVER, 200, 1_000, client, HttpMethod.GET, "/b" + i, null);

            io.graygate.testing.Polling.await("the three lines to be written", Duration.ofSeconds(5), () -> appender.written.size() == 3);
            assertThat(appender.written).extracting(l -> l.substring(l.lastIndexOf(' ') + 1))
                    .containsExactly("path=/b0", "path=/b1", "path=/b2");
            assertThat(appender.held).isEmpty();
        } finally {
            log.close();
            access.detachAppender(appender);
        }
    }

    @Test
    void proxyWithTheAccessLogOffWritesNoLine(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        Logger access = (Logger) LoggerFactory.getLogger(AsyncAccessLog.LOGGER);
        ch.qos.logback.core.read.ListAppender<ILoggingEvent> lines = new ch.qos.logback.core.read.ListAppender<>();
        lines.start();
        access.addAppender(lines);
        try (io.graygate.testing.TestUpstream up = io.graygate.testing.TestUpstream.start("production")) {
            try (ProxyHarness on = ProxyHarness.start(dir.resolve("on"), ProxyHarness.twoGroups(up.hostPort(), up.hostPort(), "", ""))) {
                assertThat(on.get("/on").statusCode()).isEqualTo(200);
            } // close() writes what is queued
            try (ProxyHarness off = ProxyHarness.start(dir.resolve("off"), ProxyHarness.twoGroups(up.hostPort(), up.hostPort(), "",
                    "proxy:\n  accessLog: false\n"))) {
                assertThat(off.get("/off").statusCode()).isEqualTo(200);
            }
        } finally {
            access.detachAppender(lines);
        }
        assertThat(lines.list).extracting(ILoggingEvent::getFormattedMessage)
                .anyMatch(l -> l.endsWith("path=/on"))
                .noneMatch(l -> l.endsWith("path=/off"));
    }
}
