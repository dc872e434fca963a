package io.graygate.policy;

import java.util.Objects;

/** One entry of a policy's ordered rule list; the first that decides a request wins. */
public sealed interface PolicyRule {

    /** Unique within the policy; names the rule in explanations, the access log, metrics and the split API. */
    String name();

    /** True when this rule may send requests to {@code version}. */
    boolean targets(String version);

    /** When the condition holds, the request goes to {@code to}. */
    record Match(String name, Condition when, String to) implements PolicyRule {
        public Match {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(when, "when");
            Objects.requireNonNull(to, "to");
        }

        @Override
        public boolean targets(String version) {
            return to.equals(version);
        }
    }

    /**
     * A sticky weighted split: a request (of those that pass {@code when}, or all when it is null) goes to the
     * version whose share of the bucket space its key hashes into, the baseline taking the rest. The bucket is a
     * pure function of {@code cohort} (null: the route's name) and the key, so a user stays on one version on every
     * node and across restarts, and growing a version's weight only adds users to it.
     */
    record Split(String name, Condition when, SplitKey by, Weights weights, String cohort) implements PolicyRule {
        public Split {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(by, "by");
            Objects.requireNonNull(weights, "weights");
        }

        public Split withWeights(Weights w) {
            return new Split(name, when, by, w, cohort);
        }

        @Override
        public boolean targets(String version) {
            return weights.of(version) > 0;
        }

        /** The cohort the bucket is computed in: as written, else the route's name. */
        public String cohortOr(String route) {
            return cohort != null ? cohort : route;
        }
    }
}
