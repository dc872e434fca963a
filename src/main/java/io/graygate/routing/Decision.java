package io.graygate.routing;

import io.graygate.stats.DecisionMeter;

/**
 * Where one request goes: the route, the version chosen, the upstream group that serves it, the rule that decided
 * ({@code (override)} or {@code (baseline)} when no rule did) and why, in words, and the version's path prefix
 * ({@link PathPrefix#NONE} when the group's applies). Routes build every decision they can
 * make once, when they are compiled, so deciding allocates nothing and each decision is a fixed label set for the
 * access log and metrics: {@code meter} is its label set's counters, bound at compile time, which the request path
 * increments.
 */
public record Decision(String route, String version, String upstream, String rule, String reason, PathPrefix pathPrefix,
                       DecisionMeter meter) {

    /** A decision for a version without a path prefix of its own. */
    public Decision(String route, String version, String upstream, String rule, String reason) {
        this(route, version, upstream, rule, reason, PathPrefix.NONE);
    }

    /** A decision that counts nothing. */
    public Decision(String route, String version, String upstream, String rule, String reason, PathPrefix pathPrefix) {
        this(route, version, upstream, rule, reason, pathPrefix, DecisionMeter.NONE);
    }

    public static final String OVERRIDE = "(override)";
    public static final String BASELINE = "(baseline)";
}
