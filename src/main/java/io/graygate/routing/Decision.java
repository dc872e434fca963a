package io.graygate.routing;

/**
 * Where one request goes: the route, the version chosen, the upstream group that serves it, the rule that decided
 * ({@code (override)} or {@code (baseline)} when no rule did) and why, in words, and the version's path prefix
 * ({@link PathPrefix#NONE} when the group's applies). Routes build every decision they can
 * make once, when they are compiled, so deciding allocates nothing and each decision is a fixed label set for the
 * access log and metrics.
 */
public record Decision(String route, String version, String upstream, String rule, String reason, PathPrefix pathPrefix) {

    /** A decision for a version without a path prefix of its own. */
    public Decision(String route, String version, String upstream, String rule, String reason) {
        this(route, version, upstream, rule, reason, PathPrefix.NONE);
    }

    public static final String OVERRIDE = "(override)";
    public static final String BASELINE = "(baseline)";
}
