package io.graygate.rollout;

import java.time.Instant;

/**
 * One interval's measurement of the new version and its verdict, kept with the thresholds it was judged against:
 * the new version's requests, errors, error ratio (basis points) and p99, the baseline's p99 and requests in the
 * same interval, and the reason in a sentence. Percentiles are NaN when there were no requests.
 */
public record AnalysisResult(Instant at, int step, int weight, Verdict verdict, long requests, long errors, int errorRate,
                             double p99Millis, long baselineRequests, double baselineP99Millis, int nodes,
                             long minRequests, int maxErrorRate, Long maxP99Millis, Double maxP99Ratio, String reason) {

    public enum Verdict {
        PASS, FAIL, INCONCLUSIVE;

        public String text() {
            return name().toLowerCase();
        }

        public static Verdict parse(String text) {
            return valueOf(text.toUpperCase());
        }
    }
}
