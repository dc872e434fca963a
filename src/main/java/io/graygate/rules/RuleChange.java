package io.graygate.rules;

import io.graygate.policy.Mode;
import io.graygate.policy.Policy;
import io.graygate.policy.PolicyCodec;
import io.graygate.policy.PolicyException;
import io.graygate.policy.PolicyRule;
import io.graygate.policy.PolicyScope;
import io.graygate.policy.Weights;
import io.graygate.routing.ip.IpEntry;
import io.graygate.routing.ip.IpSet;
import io.graygate.store.Delta;
import io.graygate.store.HistoryEntry;
import io.graygate.store.RouteState;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One change to a route, as asked for: the admin API, the CLI and the configuration make these. {@link #plan} turns it
 * into the {@link Delta} it has on the route's current state, checked whole against the route; a store may plan again
 * on a newer state when another node changed the route first.
 */
public sealed interface RuleChange {

    /** Who asked and when; recorded in the revision's history entry. */
    record Meta(String actor, Instant at) {
    }

    /**
     * The effect of this change on {@code current}.
     *
     * @throws PolicyException            when the change does not fit the route (the field named); nothing changes
     * @throws RevisionConflictException  for a change made against another revision
     */
    Delta plan(String route, RouteState current, PolicyScope scope, Meta meta);

    static RuleChange setPolicy(Policy p, Long ifRevision) {
        return new SetPolicy(p, ifRevision);
    }

    static RuleChange setSplit(String rule, Weights weights) {
        return new SetSplit(rule, weights);
    }

    static RuleChange addToSet(String set, List<IpEntry> entries) {
        return new AddToSet(PolicyCodec.name(set, "set"), List.copyOf(entries));
    }

    static RuleChange removeFromSet(String set, List<IpEntry> entries) {
        return new RemoveFromSet(PolicyCodec.name(set, "set"), List.copyOf(entries));
    }

    static RuleChange switchTo(String version) {
        return new SwitchTo(version);
    }

    static RuleChange setMode(Mode mode) {
        return new SetMode(mode);
    }

    static RuleChange promote(String version) {
        return new Promote(version);
    }

    static RuleChange rollback(Long toRevision) {
        return new Rollback(toRevision);
    }

    static RuleChange drive(String rule, String version, int weight, String override, long ifRevision, String what) {
        return new Drive(rule, version, weight, override, ifRevision, what);
    }

    static RuleChange reseed(Policy policy, Map<String, IpSet> sets) {
        return new Reseed(policy, Map.copyOf(sets));
    }

    /** Replaces the whole policy (PUT /policy, {@code graygate policy apply}). */
    record SetPolicy(Policy policy, Long ifRevision) implements RuleChange {
        @Override
        public Delta plan(String route, RouteState c, PolicyScope scope, Meta meta) {
            if (ifRevision != null && ifRevision != c.revision()) throw new RevisionConflictException(route, ifRevision, c.revision());
            scope.check(policy);
            return policyChange(c, policy, meta, "policy set: " + summary(policy), null);
        }
    }

    /** New weights for one split rule (the quick ramp). */
    record SetSplit(String rule, Weights weights) implements RuleChange {
        @Override
        public Delta plan(String route, RouteState c, PolicyScope scope, Meta meta) {
            PolicyRule r = c.policy().rule(rule);
            if (r == null) throw new PolicyException("rule", "no rule named \"" + rule + "\"; the route's rules: " + names(c.policy()));
            if (!(r instanceof PolicyRule.Split s)) throw new PolicyException("rule", "\"" + rule + "\" is a match rule, not a split");
            Policy next = c.policy().withRule(s.withWeights(weights));
            try {
                scope.check(next);
            } catch (PolicyException e) {
                throw new PolicyException("", e.getMessage().replaceFirst("^rules\\[\\d+\\]\\.split\\.", ""));
            }
            return policyChange(c, next, meta, "split " + rule + ": " + ramp(s.weights(), weights), null);
        }
    }

    record AddToSet(String set, List<IpEntry> entries) implements RuleChange {
        @Override
        public Delta plan(String route, RouteState c, PolicyScope scope, Meta meta) {
            refuseKeyed(c, set);
            return new Delta(c.revision(), Map.of(set, entries), Map.of(),
                    entry(c, meta, set + " add " + summary(entries), c.policy(), null));
        }
    }

    record RemoveFromSet(String set, List<IpEntry> entries) implements RuleChange {
        @Override
        public Delta plan(String route, RouteState c, PolicyScope scope, Meta meta) {
            refuseKeyed(c, set);
            if (!c.ipSets().containsKey(set)) throw new PolicyException("set", noSet(c, set));
            return new Delta(c.revision(), Map.of(), Map.of(set, entries),
                    entry(c, meta, set + " remove " + summary(entries), c.policy(), null));
        }
    }

    /** Everyone to one version (the blue-green switch); null: the route's only version besides the baseline. */
    record SwitchTo(String version) implements RuleChange {
        @Override
        public Delta plan(String route, RouteState c, PolicyScope scope, Meta meta) {
            String v = version != null ? version : onlyOther(scope, c.policy(), "version");
            if (!scope.versions().contains(v)) throw new PolicyException("version", "no version named \"" + v + "\"; the route's versions: " + scope.versions());
            return policyChange(c, c.policy().withOverride(v), meta, "switch: everyone to " + v, null);
        }
    }

    /** Today's modes as override names: gray (the rules decide), all-gray, all-production (everyone to the baseline). */
    record SetMode(Mode mode) implements RuleChange {
        @Override
        public Delta plan(String route, RouteState c, PolicyScope scope, Meta meta) {
            String override = switch (mode) {
                case GRAY -> null;
                case ALL_PRODUCTION -> c.policy().baseline();
                case ALL_GRAY -> scope.versions().contains("gray") ? "gray" : onlyOther(scope, c.policy(), "mode");
            };
            return policyChange(c, c.policy().withOverride(override), meta, "mode " + mode, null);
        }
    }

    /** Makes a version the baseline and drops what sent requests to it (see {@link Policy#promote}). */
    record Promote(String version) implements RuleChange {
        @Override
        public Delta plan(String route, RouteState c, PolicyScope scope, Meta meta) {
            if (version == null) throw new PolicyException("version", "is required: the version to make the baseline");
            if (!scope.versions().contains(version)) {
                throw new PolicyException("version", "no version named \"" + version + "\"; the route's versions: " + scope.versions());
            }
            Policy next = c.policy().promote(version);
            scope.check(next);
            return policyChange(c, next, meta, "promote " + version + " to baseline (was " + c.policy().baseline() + ")", null);
        }
    }

    /**
     * Restores the policy of an earlier revision: {@code to}, or else the one before the last change that changed the
     * policy. A rollback of a rollback goes one step further back, like undo; with nothing earlier kept, everyone
     * goes to the baseline, so a rollback never sends anyone to a new version. IP sets are not rolled back.
     */
    record Rollback(Long to) implements RuleChange {
        @Override
        public Delta plan(String route, RouteState c, PolicyScope scope, Meta meta) {
            HistoryEntry target = to != null ? requested(c, to) : previous(c);
            if (target == null) {
                Policy next = c.policy().withOverride(c.policy().baseline());
                return policyChange(c, next, meta, "rollback: nothing earlier is kept; everyone to the baseline " + c.policy().baseline(),
                        HistoryEntry.BEFORE_HISTORY);
            }
            try {
                scope.check(target.policy());
            } catch (PolicyException e) {
                throw new PolicyException(to != null ? "to" : "", "the policy of revision " + target.revision()
                        + " no longer fits the route (" + e.getMessage() + ")");
            }
            return policyChange(c, target.policy(), meta, "rollback to revision " + target.revision(), target.revision());
        }

        private static HistoryEntry requested(RouteState c, long rev) {
            HistoryEntry e = c.entry(rev);
            if (e == null) {
                List<HistoryEntry> h = c.history();
                String kept = h.isEmpty() ? "none" : h.get(0).revision() + " to " + h.get(h.size() - 1).revision();
                throw new PolicyException("to", "revision " + rev + " is not kept (kept: " + kept + ")");
            }
            return e;
        }

        /** Walks back from the current revision past rollbacks to what they restored, then to the policy before. */
        public static HistoryEntry previous(RouteState c) {
            List<HistoryEntry> h = c.history();
            int pos = h.size() - 1;
            while (pos >= 0 && h.get(pos).restored() != null) {
                long restored = h.get(pos).restored();
                int at = -1;
                for (int i = pos - 1; i >= 0; i--) {
                    if (h.get(i).revision() == restored) {
                        at = i;
                        break;
                    }
                }
                pos = at;
            }
            if (pos < 0) return null;
            Policy here = h.get(pos).policy();
            for (int j = pos - 1; j >= 0; j--) if (!h.get(j).policy().equals(here)) return h.get(j);
            return null;
        }
    }

    /**
     * A rollout's write: the new version's weight in the split rule it drives (created at the end of the rules when
     * missing, keyed like the route's first split, else by client IP) and the override it wants (null: none), made
     * only on revision {@code ifRevision}, the rollout's fencing token: a change by anyone else in between refuses it.
     */
    record Drive(String rule, String version, int weight, String override, long ifRevision, String what) implements RuleChange {
        @Override
        public Delta plan(String route, RouteState c, PolicyScope scope, Meta meta) {
            if (ifRevision != c.revision()) throw new RevisionConflictException(route, ifRevision, c.revision());
            Policy next = drive(c.policy(), rule, version, weight).withOverride(override);
            scope.check(next);
            return policyChange(c, next, meta, what, null);
        }

        /** The policy with {@code version} at {@code weight} in the split {@code rule}, the rule created when missing. */
        public static Policy drive(Policy p, String rule, String version, int weight) {
            PolicyRule r = p.rule(rule);
            if (r instanceof PolicyRule.Match) throw new PolicyException("rule", "\"" + rule + "\" is a match rule, not a split");
            if (r instanceof PolicyRule.Split s) return p.withRule(s.withWeights(s.weights().with(version, weight)));
            io.graygate.policy.SplitKey by = io.graygate.policy.SplitKey.CLIENT_IP;
            for (PolicyRule x : p.rules()) {
                if (x instanceof PolicyRule.Split s) {
                    by = s.by();
                    break;
                }
            }
            List<PolicyRule> rules = new ArrayList<>(p.rules());
            rules.add(new PolicyRule.Split(rule, null, by, Weights.NONE.with(version, weight), null));
            return p.withRules(rules);
        }
    }

    // ---- helpers shared by the kinds above ----

    private static Delta policyChange(RouteState c, Policy next, Meta meta, String what, Long restored) {
        return new Delta(c.revision(), Map.of(), Map.of(), entry(c, meta, what, next, restored));
    }

    private static HistoryEntry entry(RouteState c, Meta meta, String what, Policy policy, Long restored) {
        return new HistoryEntry(c.revision() + 1, meta.at(), meta.actor(), what, policy, restored);
    }

    private static void refuseKeyed(RouteState c, String set) {
        if (c.keySets().containsKey(set)) {
            throw new PolicyException("set", "\"" + set + "\" is read from the Redis key " + c.keySets().get(set).key()
                    + "; change it there (e.g. redis-cli sadd " + c.keySets().get(set).key() + " ADDRESS)");
        }
    }

    private static String noSet(RouteState c, String set) {
        Set<String> names = new LinkedHashSet<>(c.ipSets().keySet());
        names.addAll(c.keySets().keySet());
        return "no IP set named \"" + set + "\"; the route's sets: " + names;
    }

    private static String onlyOther(PolicyScope scope, Policy p, String field) {
        List<String> others = new ArrayList<>(scope.versions());
        others.remove(p.baseline());
        if (others.size() == 1) return others.get(0);
        throw new PolicyException(field, others.isEmpty() ? "the route has no version besides the baseline " + p.baseline()
                : "is required: the route has several versions besides the baseline " + p.baseline() + ": " + others);
    }

    private static List<String> names(Policy p) {
        List<String> out = new ArrayList<>();
        for (PolicyRule r : p.rules()) out.add(r.name());
        return out;
    }

    static String summary(Policy p) {
        StringBuilder sb = new StringBuilder("baseline ").append(p.baseline());
        if (p.override() != null) sb.append(", override ").append(p.override());
        sb.append(", rules ").append(names(p));
        return sb.toString();
    }

    /** "10.0.0.1 (1 entry)", "10.0.0.1, 10.0.0.2, ... and 995 more (1000 entries)": one line however many. */
    static String summary(List<IpEntry> entries) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(5, entries.size()); i++) sb.append(i == 0 ? "" : ", ").append(entries.get(i));
        if (entries.size() > 5) sb.append(" and ").append(entries.size() - 5).append(" more");
        return sb.append(" (").append(entries.size() == 1 ? "1 entry" : entries.size() + " entries").append(')').toString();
    }

    /** "gray 5% -> 25%", each version whose share changed (the baseline takes the rest). */
    static String ramp(Weights before, Weights after) {
        Set<String> versions = new LinkedHashSet<>(before.basisPoints().keySet());
        versions.addAll(after.basisPoints().keySet());
        StringBuilder sb = new StringBuilder();
        for (String v : versions) {
            if (before.of(v) == after.of(v)) continue;
            sb.append(sb.length() == 0 ? "" : ", ").append(v).append(' ').append(Weights.percent(before.of(v))).append("% -> ")
                    .append(Weights.percent(after.of(v))).append('%');
        }
        return sb.length() == 0 ? "weights unchanged " + after : sb.toString();
    }

    /** Makes a route's state the configuration's again: its policy and the contents of its IP sets ({@code serve --reseed}). */
    record Reseed(Policy policy, Map<String, IpSet> sets) implements RuleChange {
        @Override
        public Delta plan(String route, RouteState c, PolicyScope scope, Meta meta) {
            scope.check(policy);
            Map<String, List<IpEntry>> added = new LinkedHashMap<>(), removed = new LinkedHashMap<>();
            for (Map.Entry<String, IpSet> e : sets.entrySet()) {
                IpSet now = c.ipSets().getOrDefault(e.getKey(), IpSet.EMPTY);
                List<IpEntry> add = new ArrayList<>(), remove = new ArrayList<>();
                e.getValue().forEach(x -> { if (!now.containsEntry(x)) add.add(x); });
                now.forEach(x -> { if (!e.getValue().containsEntry(x)) remove.add(x); });
                if (!add.isEmpty() || !c.ipSets().containsKey(e.getKey())) added.put(e.getKey(), add);
                if (!remove.isEmpty()) removed.put(e.getKey(), remove);
            }
            return new Delta(c.revision(), added, removed, entry(c, meta, "reseeded from the configuration: " + summary(policy), policy, null));
        }
    }
}
