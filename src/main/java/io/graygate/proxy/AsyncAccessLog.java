package io.graygate.proxy;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.util.internal.PlatformDependent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Flushable;
import java.io.IOException;
import java.io.Writer;
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
    private final Format format;
    private final LongAdder dropped = new LongAdder();
    private final Thread writer;
    private volatile boolean closed;

    AsyncAccessLog(int capacity) {
        this(capacity, Format.TEXT);
    }

    AsyncAccessLog(int capacity, Format format) {
        this.queue = PlatformDependent.newFixedMpscQueue(capacity);
        this.format = format;
        this.writer = new Thread(this::drain, "graygate-access-log");
        writer.setDaemon(true);
        writer.start();
    }

    @Override
    public void record(String route, String version, String rule, String earlierTries, UpstreamServer server, int status, long durationNanos,
                       long upstreamNanos, long bytesIn, long bytesOut, String client, HttpMethod method, String uri, String upstreamUri,
                       String traceparent) {
        if (!queue.offer(new Line(route, version, rule, earlierTries, server, status, durationNanos, upstreamNanos, bytesIn, bytesOut,
                client, method, uri, upstreamUri, traceparent))) {
            dropped.increment();
        }
    }

    /** The old call, for tests written before the JSON form: no upstream timing, byte counts or traceparent. */
    void record(String route, String version, String rule, String earlierTries, UpstreamServer server, int status, long durationNanos,
                String client, HttpMethod method, String uri, String upstreamUri) {
        record(route, version, rule, earlierTries, server, status, durationNanos, -1, 0, 0, client, method, uri, upstreamUri, null);
    }

    /** Lines dropped because the queue was full. */
    long dropped() {
        return dropped.sum();
    }

    private void drain() {
        StringBuilder sb = new StringBuilder(256);
        JsonLine json = format == Format.JSON ? new JsonLine(sb) : null;
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
                if (json != null) {
                    json.write(line);
                } else {
                    line.format(sb);
                }
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
                        long upstreamNanos, long bytesIn, long bytesOut, String client, HttpMethod method, String uri, String upstreamUri,
                        String traceparent) {

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

    /**
     * The JSON form: one object per line, written by Jackson's generator (so the escaping is Jackson's) into the
     * writer thread's own buffer through one generator kept for the thread's life.
     */
    private static final class JsonLine {

        private static final JsonFactory FACTORY = new JsonFactory().setRootValueSeparator(null);

        private final JsonGenerator out;
        private final char[] digits = new char[24];

        JsonLine(StringBuilder sb) {
            try {
                this.out = FACTORY.createGenerator(new BuilderWriter(sb));
            } catch (IOException e) {
                throw new IllegalStateException("a generator over a string builder cannot fail", e);
            }
        }

        void write(Line l) {
            try {
                out.writeStartObject();
                out.writeStringField("route", l.route);
                out.writeStringField("version", l.version);
                out.writeStringField("rule", l.rule);
                out.writeFieldName("upstream");
                if (l.server == null) out.writeNull();
                else out.writeString(l.server.toString());
                if (l.earlierTries != null) out.writeStringField("earlierTries", l.earlierTries);
                out.writeNumberField("status", l.status);
                out.writeFieldName("durationMs");
                writeMillis(l.durationNanos);
                out.writeFieldName("upstreamDurationMs");
                if (l.upstreamNanos < 0) out.writeNull();
                else writeMillis(l.upstreamNanos);
                out.writeNumberField("bytesIn", l.bytesIn);
                out.writeNumberField("bytesOut", l.bytesOut);
                out.writeStringField("client", l.client);
                out.writeStringField("method", l.method == null ? null : l.method.name());
                out.writeStringField("path", l.uri);
                if (l.upstreamUri != null) out.writeStringField("upstreamPath", l.upstreamUri);
                if (l.traceparent != null) out.writeStringField("traceparent", l.traceparent);
                out.writeEndObject();
                out.flush();
            } catch (IOException e) {
                throw new IllegalStateException("writing to a string builder cannot fail", e);
            }
        }

        /** Milliseconds with microsecond precision ("12.034"), as the text form prints them, formatted without a String. */
        private void writeMillis(long nanos) throws IOException {
            long micros = Math.max(0, nanos / 1000);
            int end = digits.length;
            int pos = end;
            long fraction = micros % 1000;
            for (int i = 0; i < 3; i++) {
                digits[--pos] = (char) ('0' + fraction % 10);
                fraction /= 10;
            }
            digits[--pos] = '.';
            long whole = micros / 1000;
            do {
                digits[--pos] = (char) ('0' + whole % 10);
                whole /= 10;
            } while (whole > 0);
            out.writeNumber(digits, pos, end - pos);
        }
    }

    /** A Writer that appends to a StringBuilder the writer thread reuses (StringWriter would keep a buffer of its own). */
    private static final class BuilderWriter extends Writer {
        private final StringBuilder sb;

        BuilderWriter(StringBuilder sb) {
            this.sb = sb;
        }

        @Override
        public void write(char[] chars, int off, int len) {
            sb.append(chars, off, len);
        }

        @Override
        public void write(String str, int off, int len) {
            sb.append(str, off, off + len);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }
}
