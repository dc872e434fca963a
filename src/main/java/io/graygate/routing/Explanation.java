package io.graygate.routing;

import java.util.List;

/**
 * Why a route decided a request as it did, rule by rule, for the admin API's explain: what the override did, then each
 * rule in order with what it tested, what the request held, and whether it decided. Built off the request path.
 */
public record Explanation(Decision decision, String override, List<RuleOutcome> rules) {

    /**
     * One rule's part: {@code kind} is "match" or "split"; {@code decided} whether it chose the version;
     * {@code bucket} the request's bucket (0-9999) for a split that was reached, else null.
     */
    public record RuleOutcome(String rule, String kind, boolean decided, String condition, String observed,
                              Integer bucket, String version) {
    }
}
