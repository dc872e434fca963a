package io.graygate.routing;

import io.graygate.config.RouteConfig;
import io.graygate.policy.Policy;
import io.graygate.policy.PolicyRule;
import io.graygate.policy.Slots;
import io.graygate.routing.ip.IpSet;
import io.graygate.stats.TrafficMeters;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Compiles a route's configuration and its runtime state (policy, IP sets, revision) into an immutable {@link Route}:
 * conditions into tests, splits into bucket ranges, and every decision the route can make into a value made once.
 */
public final class RouteCompiler {

    private RouteCompiler() {
    }

    /**
     * @param sets every IP set the policy may name, by name (the route's own and those read from Redis keys)
     * @throws IllegalArgumentException when the policy names a version or set the route lacks (check it first)
     */
    public static Route compile(RouteConfig rc, Policy policy, Map<String, IpSet> sets, long revision) {
        return compile(rc, policy, sets, revision, TrafficMeters.NONE);
    }

    /** As {@link #compile(RouteConfig, Policy, Map, long)}, each decision carrying its label set's meter from {@code meters}. */
    public static Route compile(RouteConfig rc, Policy policy, Map<String, IpSet> sets, long revision, TrafficMeters meters) {
        String name = rc.name();
        Map<String, String> upstreams = new LinkedHashMap<>();
        rc.versions().forEach((v, c) -> upstreams.put(v, c.upstream()));
        Map<String, PathPrefix> prefixes = new LinkedHashMap<>();
        rc.versions().forEach((v, c) -> prefixes.put(v, PathPrefix.of(c.pathPrefix())));
        Decision override = policy.override() == null ? null
                : decision(meters, name, upstreams, prefixes, policy.override(), Decision.OVERRIDE, "override: everyone to " + policy.override());
        Slots slots = rc.scope(Set.of()).slots(policy.baseline());
        CompiledRule[] rules = new CompiledRule[policy.rules().size()];
        String[] names = new String[rules.length];
        for (int i = 0; i < rules.length; i++) {
            PolicyRule r = policy.rules().get(i);
            names[i] = r.name();
            if (r instanceof PolicyRule.Match m) {
                RequestTest test = RequestTest.of(m.when(), sets);
                rules[i] = new CompiledRule.Match(m.name(), test,
                        decision(meters, name, upstreams, prefixes, m.to(), m.name(), "rule " + m.name() + ": " + test.describe()));
            } else {
                PolicyRule.Split s = (PolicyRule.Split) r;
                RequestTest when = s.when() == null ? null : RequestTest.of(s.when(), sets);
                Map<String, Decision> byVersion = new LinkedHashMap<>();
                for (String v : s.weights().basisPoints().keySet()) {
                    byVersion.put(v, decision(meters, name, upstreams, prefixes, v, s.name(), "rule " + s.name() + ": split, bucket in " + v + "'s share"));
                }
                Decision rest = decision(meters, name, upstreams, prefixes, policy.baseline(), s.name(), "rule " + s.name() + ": split, bucket in the baseline's share");
                rules[i] = new CompiledRule.Split(s, when, name, slots, byVersion, rest);
            }
        }
        Decision baseline = decision(meters, name, upstreams, prefixes, policy.baseline(), Decision.BASELINE, "no rule decided: the baseline");
        return new Route(name, rc.pathPrefix(), rc.host(), rc.upstreamHost(), Collections.unmodifiableMap(upstreams), policy,
                revision, override, rules, names, baseline);
    }

    private static Decision decision(TrafficMeters meters, String route, Map<String, String> upstreams, Map<String, PathPrefix> prefixes,
                                     String version, String rule, String reason) {
        String upstream = upstreams.get(version);
        if (upstream == null) throw new IllegalArgumentException("route " + route + " has no version named \"" + version + "\"");
        return new Decision(route, version, upstream, rule, reason, prefixes.get(version), meters.decision(route, version, rule));
    }
}
