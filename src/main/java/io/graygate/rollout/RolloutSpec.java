package io.graygate.rollout;

import io.graygate.policy.PolicyException;
import io.graygate.policy.Weights;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a progressive rollout is asked to do on one route: the version it moves users to, the split rule it drives,
 * the weights it steps through (each held for a pause while the analysis keeps passing), the analysis, what to do at
 * the end and on abort, and where to tell of every change. Validated whole in its constructor, the field named.
 */
public record RolloutSpec(String version, String rule, List<Step> steps, Analysis analysis, OnSuccess onSuccess,
                          OnAbort onAbort, URI notifyUrl, Duration lease) {

    public static final String DEFAULT_RULE = "ramp";
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(5);

    /** One step: the new version's share in basis points, held at least {@code pause}. */
    public record Step(int weight, Duration pause) {
    }

    /**
     * How each interval is judged: over the last {@code interval} (whole seconds, 1 s to 5 min: the statistics'
     * windows), fewer than {@code minRequests} requests to the new version is inconclusive; otherwise it fails when
     * its error ratio is over {@code maxErrorRate} (basis points), its p99 over {@code maxP99} (null: not checked), or
     * over {@code maxP99Ratio} times the baseline's p99 in the same interval (null: not checked).
     */
    public record Analysis(Duration interval, long minRequests, int maxErrorRate, Duration maxP99, Double maxP99Ratio,
                           int failureLimit) {

        public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);
        public static final long DEFAULT_MIN_REQUESTS = 100;
        public static final int DEFAULT_MAX_ERROR_RATE = 100; // 1%
        public static final int DEFAULT_FAILURE_LIMIT = 2;

        public Analysis {
            Objects.requireNonNull(interval, "interval");
            if (interval.toMillis() % 1000 != 0 || interval.compareTo(Duration.ofSeconds(1)) < 0 || interval.compareTo(Duration.ofMinutes(5)) > 0) {
                throw new PolicyException("analysis.interval", "must be whole seconds from 1s to 5m (the statistics' windows), got "
                        + RolloutCodec.duration(interval));
            }
            if (minRequests < 1) throw new PolicyException("analysis.minRequests", "must be at least 1, got " + minRequests);
            if (maxErrorRate < 0 || maxErrorRate > Weights.ALL) {
                throw new PolicyException("analysis.maxErrorRate", "must be from 0% to 100%, got " + Weights.percent(maxErrorRate) + "%");
            }
            if (maxP99 != null && (maxP99.isNegative() || maxP99.isZero())) {
                throw new PolicyException("analysis.maxP99", "must be more than 0, got " + RolloutCodec.duration(maxP99));
            }
            if (maxP99Ratio != null && !(maxP99Ratio > 0 && Double.isFinite(maxP99Ratio))) {
                throw new PolicyException("analysis.maxP99Ratio", "must be a number more than 0, got " + maxP99Ratio);
            }
            if (failureLimit < 1) throw new PolicyException("analysis.failureLimit", "must be at least 1, got " + failureLimit);
        }

        public static Analysis defaults() {
            return new Analysis(DEFAULT_INTERVAL, DEFAULT_MIN_REQUESTS, DEFAULT_MAX_ERROR_RATE, null, null, DEFAULT_FAILURE_LIMIT);
        }
    }

    /** After the last step: everyone to the new version (the override), or hold the last step's split. */
    public enum OnSuccess {
        SWITCH, HOLD;

        public String text() {
            return name().toLowerCase();
        }
    }

    /** On abort: the new version's weight to 0 at once, or back to the previous step's weight, then hold. */
    public enum OnAbort {
        ROLLBACK("rollback"), STEP_BACK("stepBack");

        private final String text;

        OnAbort(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    public RolloutSpec {
        if (version == null || version.isBlank()) throw new PolicyException("version", "is required: the version to roll out, e.g. gray");
        rule = rule == null ? DEFAULT_RULE : rule;
        if (!rule.matches("[A-Za-z0-9._-]+")) throw new PolicyException("rule", "letters, digits, '.', '_' and '-' only, got \"" + rule + "\"");
        if (steps == null || steps.isEmpty()) throw new PolicyException("steps", "at least one step is required, e.g. [{weight: 5, pause: 1m}]");
        steps = List.copyOf(steps);
        int previous = -1;
        for (int i = 0; i < steps.size(); i++) {
            Step s = steps.get(i);
            if (s.weight() < 0 || s.weight() > Weights.ALL) {
                throw new PolicyException("steps[" + i + "].weight", "must be from 0 to 100, got " + Weights.percent(s.weight()));
            }
            if (s.weight() <= previous) {
                throw new PolicyException("steps[" + i + "].weight", "must be more than the step before's " + Weights.percent(previous)
                        + " (weights go up step by step), got " + Weights.percent(s.weight()));
            }
            previous = s.weight();
            if (s.pause() == null || s.pause().isNegative()) {
                throw new PolicyException("steps[" + i + "].pause", "must be 0 or more, e.g. 2m");
            }
        }
        analysis = analysis == null ? Analysis.defaults() : analysis;
        onSuccess = onSuccess == null ? OnSuccess.SWITCH : onSuccess;
        onAbort = onAbort == null ? OnAbort.ROLLBACK : onAbort;
        if (notifyUrl != null && !("http".equals(notifyUrl.getScheme()) || "https".equals(notifyUrl.getScheme())) || notifyUrl != null && notifyUrl.getHost() == null) {
            throw new PolicyException("notify", "expected an http:// or https:// URL, got \"" + notifyUrl + "\"");
        }
        lease = lease == null ? DEFAULT_LEASE : lease;
        if (lease.compareTo(Duration.ofSeconds(1)) < 0) throw new PolicyException("lease", "must be at least 1s, got " + RolloutCodec.duration(lease));
    }

    public Step step(int index) {
        return steps.get(index);
    }

    public boolean isLast(int index) {
        return index == steps.size() - 1;
    }
}
