package io.graygate.routing;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A compiled route: how to match a request, its versions and their upstream groups, its mode and ordered rules.
 * Immutable; a change to any of it builds a new Route in a new {@link RouteTable}.
 */
public final class Route {

    public static final String PRODUCTION = "production";
    public static final String GRAY = "gray";

    private final String name;
    private final String pathPrefix;
    private final String host;
    private final String upstreamHost;
    private final Map<String, String> upstreamByVersion;
    private final Mode mode;
    private final List<Rule> rules;
    private final Decision[] ruleDecisions;
    private final Decision modeDecision;
    private final Decision fallThrough;
    private final long revision;

    /**
     * @param host          the Host this route is limited to (without port), or null for any host
     * @param upstreamHost  the Host header to send upstream instead of the client's, or null to pass it through
     */
    public Route(String name, String pathPrefix, String host, String upstreamHost, Map<String, String> upstreamByVersion,
                 Mode mode, List<Rule> rules, long revision) {
        this.name = Objects.requireNonNull(name, "name");
        this.pathPrefix = Objects.requireNonNull(pathPrefix, "pathPrefix");
        this.host = host;
        this.upstreamHost = upstreamHost;
        this.upstreamByVersion = Map.copyOf(upstreamByVersion);
        this.mode = Objects.requireNonNull(mode, "mode");
        this.rules = List.copyOf(rules);
        this.revision = revision;
        this.ruleDecisions = new Decision[this.rules.size()];
        for (int i = 0; i < ruleDecisions.length; i++) {
            Rule r = this.rules.get(i);
            ruleDecisions[i] = Decision.forward(r.version(), upstreamOf(r.version()), "rule " + r.name() + ": " + r.when().describe());
        }
        this.fallThrough = Decision.forward(PRODUCTION, upstreamOf(PRODUCTION), "no rule matched");
        this.modeDecision = switch (mode) {
            case ALL_GRAY -> Decision.forward(GRAY, upstreamOf(GRAY), "mode all-gray");
            case ALL_PRODUCTION -> Decision.forward(PRODUCTION, upstreamOf(PRODUCTION), "mode all-production");
            case GRAY -> null;
        };
    }

    private String upstreamOf(String version) {
        String upstream = upstreamByVersion.get(version);
        if (upstream == null) throw new IllegalArgumentException("route " + name + " has no version named \"" + version + "\"");
        return upstream;
    }

    /** Chooses the version for one request. Reads only this immutable route; never blocks, never allocates. */
    public Decision decide(RequestView request) {
        if (modeDecision != null) return modeDecision;
        Decision[] decisions = ruleDecisions;
        for (int i = 0; i < decisions.length; i++) {
            if (rules.get(i).when().matches(request)) return decisions[i];
        }
        return fallThrough;
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

    public String name() { return name; }
    public String pathPrefix() { return pathPrefix; }
    public String host() { return host; }
    public String upstreamHost() { return upstreamHost; }
    public Map<String, String> upstreamByVersion() { return upstreamByVersion; }
    public Mode mode() { return mode; }
    public List<Rule> rules() { return rules; }
    public long revision() { return revision; }
}
