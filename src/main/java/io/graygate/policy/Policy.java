package io.graygate.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A route's traffic policy, the runtime state that decides which version a request goes to: the baseline (where a
 * request goes when nothing else decides), an optional override (everyone to one version: the blue-green switch),
 * then the ordered rules, first match wins. Immutable and compared by value.
 */
public record Policy(String baseline, String override, List<PolicyRule> rules) {

    public Policy {
        Objects.requireNonNull(baseline, "baseline");
        rules = List.copyOf(rules);
    }

    public Policy withOverride(String version) {
        return new Policy(baseline, version, rules);
    }

    public Policy withRules(List<PolicyRule> r) {
        return new Policy(baseline, override, r);
    }

    /** The rule of that name, or null. */
    public PolicyRule rule(String name) {
        for (PolicyRule r : rules) if (r.name().equals(name)) return r;
        return null;
    }

    /** A copy with one rule replaced by another of the same name. */
    public Policy withRule(PolicyRule replacement) {
        List<PolicyRule> out = new ArrayList<>(rules.size());
        boolean found = false;
        for (PolicyRule r : rules) {
            if (r.name().equals(replacement.name())) {
                out.add(replacement);
                found = true;
            } else {
                out.add(r);
            }
        }
        if (!found) throw new IllegalArgumentException("no rule named \"" + replacement.name() + "\"");
        return withRules(out);
    }

    /**
     * Makes {@code version} the baseline, clears the override and drops what sent requests to it: the match rules
     * that target it and its weight in every split (a split left with no weight goes too). The old baseline becomes
     * an ordinary version, ready to take the next release: the blue-green alternation.
     */
    public Policy promote(String version) {
        List<PolicyRule> kept = new ArrayList<>();
        for (PolicyRule r : rules) {
            if (r instanceof PolicyRule.Match m) {
                if (!m.to().equals(version)) kept.add(m);
            } else if (r instanceof PolicyRule.Split s) {
                Weights w = s.weights().without(version);
                if (!w.basisPoints().isEmpty()) kept.add(s.withWeights(w));
            }
        }
        return new Policy(version, null, kept);
    }

    /** The legacy mode this policy reads as: {@code gray} (no override), {@code all-production} or {@code all-gray}. */
    public Mode mode() {
        if (override == null) return Mode.GRAY;
        return override.equals(baseline) ? Mode.ALL_PRODUCTION : Mode.ALL_GRAY;
    }
}
