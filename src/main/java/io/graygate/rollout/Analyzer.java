package io.graygate.rollout;

import io.graygate.policy.Weights;
import io.graygate.stats.RouteStats;
import io.graygate.stats.VersionStats;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Judges one interval's statistics against a rollout's analysis: a pure function, the whole verdict in one place. */
public final class Analyzer {

    private Analyzer() {
    }

    /**
     * The verdict on {@code version} at {@code step} (with {@code weight}) from {@code stats}, beside {@code baseline}'s
     * figures of the same interval. Fewer than {@code minRequests} requests to the new version is inconclusive; else
     * every threshold that is over is named in the reason.
     */
    public static AnalysisResult judge(RolloutSpec.Analysis a, RouteStats stats, String version, String baseline, int step, int weight,
                                       Instant at) {
        VersionStats v = find(stats, version);
        VersionStats b = find(stats, baseline);
        long requests = v == null ? 0 : v.requests();
        long errors = v == null ? 0 : v.errors();
        int errorRate = requests == 0 ? 0 : (int) Math.round(errors * (double) Weights.ALL / requests);
        double p99 = v == null || requests == 0 ? Double.NaN : v.p99Millis();
        long baselineRequests = b == null ? 0 : b.requests();
        double baselineP99 = b == null || baselineRequests == 0 ? Double.NaN : b.p99Millis();
        Long maxP99 = a.maxP99() == null ? null : a.maxP99().toMillis();
        String figures = requests + " requests, " + errors + " errors (" + Weights.percent(errorRate) + "%), p99 " + ms(p99)
                + (a.maxP99Ratio() != null ? ", baseline p99 " + ms(baselineP99) : "");
        AnalysisResult.Verdict verdict;
        String reason;
        if (requests < a.minRequests()) {
            verdict = AnalysisResult.Verdict.INCONCLUSIVE;
            reason = "inconclusive: " + requests + " requests to " + version + " in " + a.interval().toSeconds() + "s, fewer than minRequests "
                    + a.minRequests();
        } else {
            List<String> over = new ArrayList<>();
            // The error ratio in whole basis points, compared as the person wrote the limit: 1.04% passes a 1% limit
            // only when it rounds to at most 100 basis points, so compare the exact ratio instead.
            if (errors * (double) Weights.ALL > a.maxErrorRate() * (double) requests) {
                over.add("error rate " + Weights.percent(errorRate) + "% over maxErrorRate " + Weights.percent(a.maxErrorRate()) + "%");
            }
            if (maxP99 != null && p99 > maxP99) over.add("p99 " + ms(p99) + " over maxP99 " + maxP99 + "ms");
            if (a.maxP99Ratio() != null && baselineRequests > 0 && baselineP99 > 0 && p99 > a.maxP99Ratio() * baselineP99) {
                over.add("p99 " + ms(p99) + " over maxP99Ratio " + a.maxP99Ratio() + " x baseline p99 " + ms(baselineP99)
                        + String.format(Locale.ROOT, " (ratio %.2f)", p99 / baselineP99));
            }
            verdict = over.isEmpty() ? AnalysisResult.Verdict.PASS : AnalysisResult.Verdict.FAIL;
            reason = (over.isEmpty() ? "pass: " + figures + ", within every threshold" : "fail: " + String.join("; ", over) + " (" + figures + ")");
        }
        return new AnalysisResult(at, step, weight, verdict, requests, errors, errorRate, p99, baselineRequests, baselineP99, stats.nodes(),
                a.minRequests(), a.maxErrorRate(), maxP99, a.maxP99Ratio(), reason);
    }

    private static VersionStats find(RouteStats stats, String version) {
        for (VersionStats v : stats.versions()) if (v.version().equals(version)) return v;
        return null;
    }

    static String ms(double millis) {
        if (Double.isNaN(millis)) return "n/a";
        return String.format(Locale.ROOT, millis < 10 ? "%.2fms" : "%.0fms", millis);
    }
}
