package io.graygate.stats;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * What one version of one route has served, per event loop: exchanges per {@link Outcome}, the Prometheus
 * histograms of request and upstream durations, and a latency recorder that {@link StatsTicker} empties every second
 * into a ring of per-second samples, five minutes deep, from which the live windows are read. A loop writes only its
 * own row, so recording takes no lock and allocates nothing.
 */
public final class VersionMeter {

    /** Prometheus's default buckets, in seconds. */
    static final double[] BOUNDS_SECONDS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    static final int BUCKETS = BOUNDS_SECONDS.length + 1;
    /** The longest latency the window histograms tell apart (longer ones count as this): an hour, in microseconds. */
    static final long HIGHEST_MICROS = TimeUnit.HOURS.toMicros(1);
    /** Two significant digits: percentiles within 1%. */
    static final int DIGITS = 2;
    static final int MAX_WINDOW_SECONDS = 300;

    private static final long[] BOUNDS_NANOS = new long[BOUNDS_SECONDS.length];
    static {
        for (int i = 0; i < BOUNDS_SECONDS.length; i++) BOUNDS_NANOS[i] = Math.round(BOUNDS_SECONDS[i] * 1e9);
    }

    private static final int REQUEST_BUCKETS = Outcome.COUNT;
    private static final int REQUEST_SUM = REQUEST_BUCKETS + BUCKETS;
    private static final int UPSTREAM_BUCKETS = REQUEST_SUM + 1;
    private static final int UPSTREAM_SUM = UPSTREAM_BUCKETS + BUCKETS;
    private static final int WIDTH = UPSTREAM_SUM + 1;

    private final String route;
    private final String version;
    private final LoopSlots slots;
    private final SingleWriterRecorder[] latency;

    // The ticker's own, on its thread only.
    private final Histogram[] intervals;
    private final Histogram merged = new Histogram(HIGHEST_MICROS, DIGITS);
    private final long[] rolled = new long[Outcome.COUNT];

    private final AtomicReferenceArray<SecondSample> ring = new AtomicReferenceArray<>(MAX_WINDOW_SECONDS + 1);

    VersionMeter(String route, String version, int loops) {
        this.route = route;
        this.version = version;
        this.slots = new LoopSlots(loops, WIDTH);
        this.latency = new SingleWriterRecorder[loops];
        for (int l = 0; l < loops; l++) latency[l] = new SingleWriterRecorder(1, HIGHEST_MICROS, DIGITS);
        this.intervals = new Histogram[loops];
    }

    public String route() {
        return route;
    }

    public String version() {
        return version;
    }

    /**
     * Counts one finished exchange; only on event loop {@code loop}.
     *
     * @param upstreamNanos how long the upstream took to answer it, or -1 when no upstream answered
     */
    void finished(int loop, int outcome, long totalNanos, long upstreamNanos) {
        slots.add(loop, outcome, 1);
        slots.add(loop, REQUEST_BUCKETS + bucket(totalNanos), 1);
        slots.add(loop, REQUEST_SUM, totalNanos);
        if (upstreamNanos >= 0) {
            slots.add(loop, UPSTREAM_BUCKETS + bucket(upstreamNanos), 1);
            slots.add(loop, UPSTREAM_SUM, upstreamNanos);
        }
        latency[loop].recordValue(Math.min(totalNanos / 1000, HIGHEST_MICROS));
    }

    private static int bucket(long nanos) {
        long[] b = BOUNDS_NANOS;
        for (int i = 0; i < b.length; i++) if (nanos <= b[i]) return i;
        return b.length;
    }

    // ---- read by the scrape, from any thread ----

    long requests(int outcome) {
        return slots.sum(outcome);
    }

    /** Observations per bucket of the request-duration histogram, not cumulative; the last is above 10 s. */
    long[] requestBuckets() {
        return buckets(REQUEST_BUCKETS);
    }

    long[] upstreamBuckets() {
        return buckets(UPSTREAM_BUCKETS);
    }

    double requestSeconds() {
        return slots.sum(REQUEST_SUM) / 1e9;
    }

    double upstreamSeconds() {
        return slots.sum(UPSTREAM_SUM) / 1e9;
    }

    private long[] buckets(int first) {
        long[] out = new long[BUCKETS];
        for (int i = 0; i < BUCKETS; i++) out[i] = slots.sum(first + i);
        return out;
    }

    // ---- the live windows ----

    /**
     * Ends the second {@code second}: takes what every loop recorded since the last roll into one sample and keeps
     * it in the ring. Only on the ticker's thread. Returns the sample, or null when nothing ended in it.
     */
    SecondSample roll(long second) {
        merged.reset();
        for (int l = 0; l < latency.length; l++) {
            intervals[l] = latency[l].getIntervalHistogram(intervals[l]);
            merged.add(intervals[l]);
        }
        long[] outcomes = new long[Outcome.COUNT];
        long total = 0;
        for (int o = 0; o < Outcome.COUNT; o++) {
            long now = slots.sum(o);
            outcomes[o] = now - rolled[o];
            rolled[o] = now;
            total += outcomes[o];
        }
        if (total == 0 && merged.getTotalCount() == 0) return null;
        SecondSample s = new SecondSample(second, outcomes, SecondSample.encode(merged));
        ring.set(slot(second), s);
        return s;
    }

    /** This node's sample of {@code second}, or null when it has none (nothing ended then, or it is over five minutes old). */
    SecondSample sample(long second) {
        SecondSample s = ring.get(slot(second));
        return s != null && s.second() == second ? s : null;
    }

    private static int slot(long second) {
        return (int) Math.floorMod(second, (long) MAX_WINDOW_SECONDS + 1);
    }

    @Override
    public String toString() {
        return route + "/" + version;
    }
}
