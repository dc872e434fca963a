package io.graygate.policy;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What one route's policy may name: the route's versions, in the order its configuration lists them (the order of
 * the split slots), the configuration's baseline (which has no slot of its own) and its IP sets. {@link #check}
 * refuses a policy that names anything else, whole.
 */
public record PolicyScope(List<String> versions, String configuredBaseline, Set<String> ipSets) {

    public PolicyScope {
        versions = List.copyOf(versions);
        if (!versions.contains(configuredBaseline)) throw new IllegalArgumentException("the configured baseline is not one of the versions");
        ipSets = Set.copyOf(ipSets);
    }

    /** A route whose configuration's baseline is its first version. */
    public PolicyScope(List<String> versions, Set<String> ipSets) {
        this(versions, versions.get(0), ipSets);
    }

    public PolicyScope withIpSets(Set<String> sets) {
        return new PolicyScope(versions, configuredBaseline, sets);
    }

    /** The split slots under a policy whose baseline is {@code baseline}. */
    public Slots slots(String baseline) {
        return Slots.of(versions, configuredBaseline, baseline);
    }

    /**
     * Checks every name and limit of the policy against this route.
     *
     * @throws PolicyException naming the path of the first bad value
     */
    public void check(Policy p) {
        if (!versions.contains(p.baseline())) throw new PolicyException("baseline", noVersion(p.baseline()));
        if (p.override() != null && !versions.contains(p.override())) throw new PolicyException("override", noVersion(p.override()));
        Slots slots = slots(p.baseline());
        Set<String> names = new HashSet<>();
        String decidesAll = null;
        for (int i = 0; i < p.rules().size(); i++) {
            PolicyRule rule = p.rules().get(i);
            String at = "rules[" + i + "]";
            if (!names.add(rule.name())) throw new PolicyException(at + ".name", "another rule is named \"" + rule.name() + "\"");
            if (decidesAll != null) {
                throw new PolicyException(at, "never reached: rule \"" + decidesAll + "\" before it is a split with no condition, which decides every request");
            }
            if (rule instanceof PolicyRule.Match m) {
                check(m.when(), at + ".when");
                if (!versions.contains(m.to())) throw new PolicyException(at + ".to", noVersion(m.to()));
            } else if (rule instanceof PolicyRule.Split s) {
                if (s.when() != null) check(s.when(), at + ".when");
                else decidesAll = s.name();
                for (var w : s.weights().basisPoints().entrySet()) {
                    String wat = at + ".split.weights." + w.getKey();
                    if (!versions.contains(w.getKey())) throw new PolicyException(wat, noVersion(w.getKey()));
                    if (w.getKey().equals(p.baseline())) {
                        throw new PolicyException(wat, "\"" + w.getKey() + "\" is the baseline, which takes the rest; give the weights of the other versions");
                    }
                    Slots.Slot slot = slots.of(w.getKey());
                    if (w.getValue() > slot.size()) {
                        throw new PolicyException(wat, Weights.percent(w.getValue()) + " exceeds the slot of " + Weights.percent(slot.size())
                                + " (each of the route's " + (versions.size() - 1) + " versions besides the baseline has an equal, fixed share of the buckets)");
                    }
                }
            }
        }
    }

    private void check(Condition c, String at) {
        if (c instanceof Condition.ClientIpInSet in) {
            if (!ipSets.contains(in.set())) {
                throw new PolicyException(at + ".clientIp.inSet", "no IP set named \"" + in.set() + "\""
                        + (ipSets.isEmpty() ? " (the route has none)" : "; the route's sets: " + ipSets.stream().sorted().toList()));
            }
        } else if (c instanceof Condition.All all) {
            for (int i = 0; i < all.of().size(); i++) check(all.of().get(i), at + ".all[" + i + "]");
        } else if (c instanceof Condition.Any any) {
            for (int i = 0; i < any.of().size(); i++) check(any.of().get(i), at + ".any[" + i + "]");
        } else if (c instanceof Condition.Not not) {
            check(not.of(), at + ".not");
        }
        // header, cookie, query, method and path name nothing of the route's; the codec checked their form
    }

    private String noVersion(String name) {
        return "no version named \"" + name + "\"; the route's versions: " + versions;
    }
}
