package io.graygate.routing;

import io.graygate.policy.Policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A compiled route: how to match a request, its versions and their upstream groups, and its policy (override, then
 * the ordered rules, then the baseline) with every decision built in advance. Immutable; a change to any of it
 * builds a new Route in a new {@link RouteTable}. Built by {@link RouteCompiler}.
 */
public final class Route {

    private final String name;
    private final String pathPrefix;
    private final String host;
    private final String upstreamHost;
    private final Map<String, String> upstreamByVersion;
    private final Policy policy;
    private final long revision;
    private final Decision overrideDecision;
    private final CompiledRule[] rules;
    private final String[] ruleNames;
    private final Decision baselineDecision;

    Route(String name, String pathPrefix, String host, String upstreamHost, Map<String, String> upstreamByVersion,
          Policy policy, long revision, Decision overrideDecision, CompiledRule[] rules, String[] ruleNames, Decision baselineDecision) {
        this.name = Objects.requireNonNull(name, "name");
        this.pathPrefix = Objects.requireNonNull(pathPrefix, "pathPrefix");
        this.host = host;
        this.upstreamHost = upstreamHost;
        this.upstreamByVersion = upstreamByVersion;
        this.policy = policy;
        this.revision = revision;
        this.overrideDecision = overrideDecision;
        this.rules = rules;
        this.ruleNames = ruleNames;
        this.baselineDecision = baselineDecision;
    }

    /** Chooses the version for one request. Reads only this immutable route; never blocks, never allocates. */
    public Decision decide(RequestView request) {
        if (overrideDecision != null) return overrideDecision;
        CompiledRule[] rs = rules;
        for (int i = 0; i < rs.length; i++) {
            Decision d = rs[i].decide(request);
            if (d != null) return d;
        }
        return baselineDecision;
    }

    /** The same decision as {@link #decide}, with what each rule saw; for the admin API, never on the request path. */
    public Explanation explain(RequestView request) {
        if (overrideDecision != null) {
            return new Explanation(overrideDecision, "everyone goes to " + overrideDecision.version() + " (override); no rule is reached", List.of());
        }
        List<Explanation.RuleOutcome> outcomes = new ArrayList<>(rules.length);
        for (CompiledRule rule : rules) {
            Explanation.RuleOutcome o = rule.explain(request);
            outcomes.add(o);
            if (o.decided()) return new Explanation(rule.decide(request), null, outcomes);
        }
        return new Explanation(baselineDecision, null, outcomes);
    }

    /**
     * True when the request's host and path fit this route. {@code requestHost} is the Host header as sent, with or
     * without its port ("example.com:8080", "[::1]:80"); it is compared in any case, and with no substring made.
     */
    public boolean matches(String requestHost, String path) {
        if (!path.startsWith(pathPrefix)) return false;
        if (host == null) return true;
        if (requestHost == null) return false;
        int n = host.length();
        return requestHost.regionMatches(true, 0, host, 0, n) && (requestHost.length() == n || requestHost.charAt(n) == ':');
    }

    /**
     * The share of requests each version gets from the override and the splits, in basis points, as far as the
     * policy fixes it: with an override, all of it; else the weights of the first unconditional split (match rules
     * before it take what they match, which no share can say). Null when no split decides the rest.
     */
    public Map<String, Integer> splitShares() {
        Map<String, Integer> out = new java.util.LinkedHashMap<>();
        if (overrideDecision != null) {
            for (String v : upstreamByVersion.keySet()) out.put(v, v.equals(overrideDecision.version()) ? 10_000 : 0);
            return out;
        }
        for (CompiledRule r : rules) {
            if (r instanceof CompiledRule.Split s && !s.conditional()) {
                for (String v : upstreamByVersion.keySet()) out.put(v, s.basisPoints(v));
                return out;
            }
        }
        return null;
    }

    public String name() { return name; }
    public String pathPrefix() { return pathPrefix; }
    public String host() { return host; }
    public String upstreamHost() { return upstreamHost; }
    /** Version name to upstream group, in the configuration's order. */
    public Map<String, String> upstreamByVersion() { return upstreamByVersion; }
    public Policy policy() { return policy; }
    public String baseline() { return policy.baseline(); }
    public long revision() { return revision; }
    public List<String> ruleNames() { return List.of(ruleNames); }
}
