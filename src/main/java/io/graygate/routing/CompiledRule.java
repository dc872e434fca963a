package io.graygate.routing;

import io.graygate.policy.PolicyRule;
import io.graygate.policy.Slots;
import io.graygate.policy.SplitKey;
import io.graygate.policy.Weights;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** One compiled rule of a route: a match or a sticky split, with every decision it can make built in advance. */
abstract class CompiledRule {

    /** The decision, or null when this rule does not decide the request. */
    abstract Decision decide(RequestView r);

    abstract Explanation.RuleOutcome explain(RequestView r);

    static final class Match extends CompiledRule {
        private final String name;
        private final RequestTest test;
        private final Decision decision;

        Match(String name, RequestTest test, Decision decision) {
            this.name = name;
            this.test = test;
            this.decision = decision;
        }

        @Override
        Decision decide(RequestView r) {
            return test.test(r) ? decision : null;
        }

        @Override
        Explanation.RuleOutcome explain(RequestView r) {
            boolean decided = test.test(r);
            return new Explanation.RuleOutcome(name, "match", decided, test.describe(), test.observed(r), null, decided ? decision.version() : null);
        }

        RequestTest test() {
            return test;
        }
    }

    /**
     * A sticky split: the request's bucket falls into one weighted version's range inside that version's fixed slot,
     * or into the rest, which is the baseline's.
     */
    static final class Split extends CompiledRule {
        private final String name;
        private final RequestTest when;
        private final RequestValue key; // null: the client address
        private final String cohort;
        private final StickyBucket buckets;
        private final int[] starts;
        private final int[] ends;
        private final Decision[] decisions;
        private final Decision rest;

        Split(PolicyRule.Split rule, RequestTest when, String route, Slots slots, Map<String, Decision> byVersion, Decision rest) {
            this.name = rule.name();
            this.when = when;
            SplitKey by = rule.by();
            this.key = by instanceof SplitKey.Header h ? RequestValue.header(h.name()) : by instanceof SplitKey.Cookie c
                    ? RequestValue.cookie(c.name()) : by instanceof SplitKey.Query q ? RequestValue.query(q.name()) : null;
            this.cohort = rule.cohortOr(route);
            this.buckets = StickyBucket.in(cohort);
            List<Map.Entry<String, Integer>> weighted = new ArrayList<>();
            for (Map.Entry<String, Integer> w : rule.weights().basisPoints().entrySet()) if (w.getValue() > 0) weighted.add(w);
            this.starts = new int[weighted.size()];
            this.ends = new int[weighted.size()];
            this.decisions = new Decision[weighted.size()];
            for (int i = 0; i < weighted.size(); i++) {
                Slots.Slot slot = slots.of(weighted.get(i).getKey());
                starts[i] = slot.start();
                ends[i] = slot.start() + weighted.get(i).getValue();
                decisions[i] = byVersion.get(weighted.get(i).getKey());
            }
            this.rest = rest;
        }

        @Override
        Decision decide(RequestView r) {
            if (when != null && !when.test(r)) return null;
            int b = bucket(r);
            for (int i = 0; i < starts.length; i++) {
                if (b >= starts[i] && b < ends[i]) return decisions[i];
            }
            return rest;
        }

        /** The request's bucket: of the split's key when the request has it, else of the client address. */
        int bucket(RequestView r) {
            if (key != null) {
                String text = key.text(r);
                long at = key.place(text);
                if (at != RequestValues.ABSENT) return buckets.bucket(text, RequestValues.from(at), RequestValues.to(at));
            }
            return buckets.bucket(r.client());
        }

        @Override
        Explanation.RuleOutcome explain(RequestView r) {
            if (when != null && !when.test(r)) {
                return new Explanation.RuleOutcome(name, "split", false, when.describe(), when.observed(r), null, null);
            }
            Decision d = decide(r);
            StringBuilder what = new StringBuilder("split by ").append(keyDescription()).append(" in cohort ").append(cohort).append(": ");
            for (int i = 0; i < starts.length; i++) {
                what.append(i == 0 ? "" : ", ").append(decisions[i].version()).append(" buckets ").append(starts[i]).append('-').append(ends[i] - 1);
            }
            if (starts.length == 0) what.append("no version weighted");
            what.append(", the rest ").append(rest.version());
            return new Explanation.RuleOutcome(name, "split", true, what.toString(), keyObserved(r), bucket(r), d.version());
        }

        private String keyDescription() {
            return key == null ? "client IP" : key.describe();
        }

        private String keyObserved(RequestView r) {
            if (key == null) return "key: client IP " + r.client();
            String value = key.shown(r);
            return value != null ? "key: " + key.describe() + " is " + ValueCheck.quote(value)
                    : key.describe() + " is absent, so the key is the client IP " + r.client();
        }

        /** Buckets this split sends to {@code version}, as basis points of everyone it decides. */
        int basisPoints(String version) {
            int bp = 0;
            for (int i = 0; i < starts.length; i++) if (decisions[i].version().equals(version)) bp += ends[i] - starts[i];
            if (rest.version().equals(version)) bp += Weights.ALL - totalWeighted();
            return bp;
        }

        private int totalWeighted() {
            int t = 0;
            for (int i = 0; i < starts.length; i++) t += ends[i] - starts[i];
            return t;
        }

        boolean conditional() {
            return when != null;
        }
    }
}
