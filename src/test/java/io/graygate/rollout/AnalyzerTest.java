package io.graygate.rollout;

import io.graygate.stats.RouteStats;
import io.graygate.stats.StatsScope;
import io.graygate.stats.VersionStats;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The verdict as a pure function of one interval's figures: a table of (figures, thresholds) to verdict and reason. */
class AnalyzerTest {

    private static VersionStats v(String name, long requests, long errors, double p99) {
        return new VersionStats(name, requests, errors, requests / 10.0, requests == 0 ? 0 : errors / (double) requests, p99 / 2, p99 * 0.9,
                requests == 0 ? Double.NaN : p99);
    }

    @ParameterizedTest(name = "gray {0} req {1} err p99 {2}, baseline p99 {3}: {4}")
    @CsvSource(delimiter = '|', value = {
            // requests | errors | p99 | baseline p99 | verdict | reason starts with
            "0    | 0   | 0    | 5   | INCONCLUSIVE | inconclusive: 0 requests to gray in 10s, fewer than minRequests 100",
            "99   | 50  | 900  | 5   | INCONCLUSIVE | inconclusive: 99 requests to gray",
            "100  | 1   | 20   | 15  | PASS         | pass: 100 requests, 1 errors (1%)",
            "1000 | 11  | 20   | 15  | FAIL         | fail: error rate 1.1% over maxErrorRate 1%",
            "1000 | 0   | 501  | 400 | FAIL         | fail: p99 501ms over maxP99 500ms",
            "1000 | 0   | 31   | 20  | FAIL         | fail: p99 31ms over maxP99Ratio 1.5 x baseline p99 20ms (ratio 1.55)",
            "1000 | 0   | 30   | 20  | PASS         | pass:",
            "1000 | 100 | 700  | 20  | FAIL         | fail: error rate 10% over maxErrorRate 1%; p99 700ms over maxP99 500ms; p99 700ms over maxP99Ratio",
    })
    void judgesAnIntervalByEveryThreshold(long requests, long errors, double p99, double baselineP99, AnalysisResult.Verdict verdict, String reason) {
        RolloutSpec.Analysis a = new RolloutSpec.Analysis(Duration.ofSeconds(10), 100, 100, Duration.ofMillis(500), 1.5, 2);
        RouteStats stats = new RouteStats("app", Duration.ofSeconds(10), StatsScope.CLUSTER, 3,
                List.of(v("production", 5000, 0, baselineP99), v("gray", requests, errors, p99)));
        AnalysisResult r = Analyzer.judge(a, stats, "gray", "production", 1, 500, Instant.EPOCH);
        assertThat(r.verdict()).isEqualTo(verdict);
        assertThat(r.reason()).startsWith(reason);
        assertThat(r.requests()).isEqualTo(requests);
        assertThat(r.errors()).isEqualTo(errors);
        assertThat(r.nodes()).isEqualTo(3);
        assertThat(r.maxErrorRate()).isEqualTo(100);
        assertThat(r.maxP99Millis()).isEqualTo(500L);
        assertThat(r.maxP99Ratio()).isEqualTo(1.5);
    }

    @ParameterizedTest(name = "no baseline traffic: the ratio is not judged ({0})")
    @CsvSource({"0", "10"})
    void theRatioNeedsBaselineTraffic(long baselineRequests) {
        RolloutSpec.Analysis a = new RolloutSpec.Analysis(Duration.ofSeconds(10), 10, 100, null, 1.5, 2);
        RouteStats stats = new RouteStats("app", Duration.ofSeconds(10), StatsScope.CLUSTER, 1,
                List.of(v("production", baselineRequests, 0, 10), v("gray", 100, 0, 100)));
        AnalysisResult r = Analyzer.judge(a, stats, "gray", "production", 0, 100, Instant.EPOCH);
        assertThat(r.verdict()).isEqualTo(baselineRequests == 0 ? AnalysisResult.Verdict.PASS : AnalysisResult.Verdict.FAIL);
    }
}
