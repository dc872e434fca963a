package io.graygate.proxy;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.util.internal.PlatformDependent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Flushable;
import java.io.IOException;
import java.util.Iterator;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The access log that keeps formatting and I/O off the event loops: they offer a small record to a bounded,
 * lock-free queue (a full queue drops the line and counts it), and one daemon thread formats and logs.
 * Logback's AsyncAppender alone would not do: it formats on the calling thread.
 */
final class AsyncAccessLog implements AccessLog {

    static final String LOGGER = "graygate.access";

    private static final Logger access = LoggerFactory.getLogger(LOGGER);
    private static final Logger log = LoggerFactory.getLogger(AsyncAccessLog.class);
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final Queue<Line> queue;
    private final LongAdder dropped = new LongAdder();
    private final Thread writer;
    private volatile boolean closed;

    AsyncAccessLog(int capacity) {
        this.queue = PlatformDependent.newFixedMpscQueue(capacity);
        this.writer = new Thread(this::drain, "graygate-access-log");
        writer.setDaemon(true);
        writer.start();
    }

    @Override
    public void record(String route, String version, String rule, String earlierTries, UpstreamServer server, int status, long durationNanos,
                       String client, HttpMethod method, String uri, String upstreamUri) {
        if (!queue.offer(new Line(route, version, rule, earlierTries, server, status, durationNanos, client, method, uri, upstreamUri))) dropped.increment();
    }

    /** Lines dropped because the queue was full. */
    long dropped() {
        return dropped.sum();
    }

    private void drain() {
        StringBuilder sb = new StringBuilder(256);
        long droppedReported = 0;
        boolean unflushed = false;
        while (true) {
            Line line = queue.poll();
            if (line == null) {
                if (unflushed) {
                    flushAppenders();
                    unflushed = false;
                }
                long d = dropped.sum();
                if (d != droppedReported) {
                    log.warn("access log queue full: {} lines dropped so far", d);
                    droppedReported = d;
                }
                if (closed) return;
                LockSupport.parkNanos(IDLE_PARK_NANOS);
                continue;
            }
            if (access.isInfoEnabled()) {
                sb.setLength(0);
                line.format(sb);
                access.info(sb.toString());
                unflushed = true;
            }
        }
    }

    /**
     * Caught up with the queue: lets appenders that hold lines back to write them in batches (such as
     * {@link BatchedStdoutAppender}) write them out now, so a line waits at most for the lines queued with it.
     */
    private static void flushAppenders() {
        if (!(access instanceof ch.qos.logback.classic.Logger logger)) return;
        for (Iterator<Appender<ILoggingEvent>> it = logger.iteratorForAppenders(); it.hasNext(); ) {
            if (it.next() instanceof Flushable f) {
                try {
                    f.flush();
                } catch (IOException e) {
                    log.warn("access log: cannot flush: {}", e.toString());
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(writer);
        try {
            writer.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private record Line(String route, String version, String rule, String earlierTries, UpstreamServer server, int status, long durationNanos,
                        String client, HttpMethod method, String uri, String upstreamUri) {

        void format(StringBuilder sb) {
            sb.append("route=").append(route == null ? "-" : route)
                    .append(" version=").append(version == null ? "-" : version)
                    .append(" rule=").append(rule == null ? "-" : rule)
                    .append(" upstream=");
            if (earlierTries != null) sb.append(earlierTries).append(',');
            sb.append(server == null ? "-" : server.toString())
                    .append(" status=").append(status)
                    .append(" ms=");
            long micros = durationNanos / 1000;
            sb.append(micros / 1000).append('.');
            long fraction = micros % 1000;
            if (fraction < 100) sb.append('0');
            if (fraction < 10) sb.append('0');
            sb.append(fraction)
                    .append(" client=").append(client == null ? "-" : client)
                    .append(" method=").append(method == null ? "-" : method.name())
                    .append(" path=").append(uri == null ? "-" : uri);
            if (upstreamUri != null) sb.append(" upstreamPath=").append(upstreamUri);
        }
    }
}
