package io.graygate.stats;

/**
 * One version's figures over a window: counts, rates and latency percentiles of whole exchanges (client's first
 * byte to last byte sent). {@code errors} counts 5xx answers and upstream errors (connect failures, timeouts).
 * Percentiles are {@code NaN} when there were no requests.
 */
public record VersionStats(
        String version,
        long requests,
        long errors,
        double requestsPerSecond,
        double errorRatio,
        double p50Millis,
        double p95Millis,
        double p99Millis) {
}
