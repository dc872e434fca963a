package io.graygate.stats;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the request path does for the meters, a decision counted and its exchange finished (outcome, both duration
 * histograms, the window's latency recorder), allocates nothing. Counted with the JVM's per-thread allocation
 * counter, as {@code DecidingAllocatesNothingTest} does; no timing is involved.
 */
class CountingAllocatesNothingTest {

    private static final int EXCHANGES = 20_000;

    @Test
    void countingADecisionAndItsExchangeAllocatesNothing() {
        TrafficMeters meters = new TrafficMeters(2);
        DecisionMeter d = meters.decision("shop", "gray", "ramp");
        for (int i = 0; i < EXCHANGES; i++) count(d, i); // classes loaded, code compiled

        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(thread);
        long baseline = threads.getThreadAllocatedBytes(thread) - before;
        before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < EXCHANGES; i++) count(d, i);
        long allocated = threads.getThreadAllocatedBytes(thread) - before - baseline;

        assertThat(d.made()).isEqualTo(2L * EXCHANGES);
        VersionMeter v = meters.find("shop", "gray");
        long requests = 0;
        for (int o = 0; o < Outcome.COUNT; o++) requests += v.requests(o);
        assertThat(requests).isEqualTo(2L * EXCHANGES);
        // One object per exchange would show as 320,000 bytes at least; the JVM may allocate a little while compiling.
        assertThat(allocated).as("bytes allocated by %d exchanges counted", EXCHANGES).isLessThan(EXCHANGES);
    }

    /** An exchange of every kind in turn: fast, slow, past the longest bucket, an upstream error, on either loop. */
    private static void count(DecisionMeter d, int i) {
        int loop = i & 1;
        d.decided(loop);
        long nanos = (i % 7) * 3_000_000L + (i % 1000 == 0 ? 20_000_000_000L : 0);
        int outcome = i % 11 == 0 ? Outcome.UPSTREAM_ERROR : Outcome.of(200 + (i % 4) * 100);
        d.finished(loop, outcome, nanos, outcome == Outcome.UPSTREAM_ERROR ? -1 : nanos / 2);
    }
}
