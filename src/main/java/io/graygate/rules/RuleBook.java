package io.graygate.rules;

import io.graygate.config.GatewayConfig;
import io.graygate.config.RouteConfig;
import io.graygate.routing.Condition;
import io.graygate.routing.IpSet;
import io.graygate.routing.Route;
import io.graygate.routing.RouteTable;
import io.graygate.routing.Rule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Owns the rules in force: the configured routes joined with their runtime rules from the store, compiled into one
 * immutable {@link RouteTable} that is swapped whole on every change. Readers take {@link #snapshot()} with no lock.
 */
public final class RuleBook implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RuleBook.class);

    private volatile GatewayConfig config;
    private final RuleStore store;
    /** Routes the store holds rules for that the configuration no longer names (kept, not served). */
    private volatile Set<String> unconfigured = Set.of();
    private volatile RouteTable snapshot = RouteTable.EMPTY;
    private volatile Map<String, RouteRules> rules = Map.of();
    private volatile SnapshotInfo snapshotInfo = new SnapshotInfo(0, null);

    public RuleBook(GatewayConfig config, RuleStore store) {
        this.config = config;
        this.store = store;
    }

    /** Loads the rules from the store (seeding it from the configuration the first time) and compiles the first snapshot. */
    public RuleBook open() {
        Map<String, RouteRules> seed = new LinkedHashMap<>();
        for (RouteConfig r : config.routes()) seed.put(r.name(), RouteRules.initial(r.mode(), IpSet.parse(r.whitelist())));
        // Held across store.open: a change the store reports before the first snapshot is built waits for it
        // instead of being overwritten by it.
        synchronized (this) {
            Map<String, RouteRules> loaded = store.open(seed, this::changedElsewhere);
            Map<String, RouteRules> known = new LinkedHashMap<>();
            List<Route> routes = new ArrayList<>();
            for (RouteConfig r : config.routes()) {
                RouteRules rr = loaded.getOrDefault(r.name(), seed.get(r.name()));
                known.put(r.name(), rr);
                routes.add(compile(r, rr));
            }
            snapshot = new RouteTable(routes);
            rules = Map.copyOf(known);
            snapshotInfo = new SnapshotInfo(1, Instant.now());
            Set<String> stored = new TreeSet<>(loaded.keySet());
            stored.removeAll(known.keySet());
            unconfigured = Set.copyOf(stored);
        }
        return this;
    }

    /**
     * Puts a reloaded configuration's routes in force: routes new to it are seeded into the store as on a first start
     * (a route the store still holds from before keeps its rules), every route is compiled again against the new
     * configuration, and the table is swapped whole. A route the configuration dropped keeps its rules in the store.
     * Blocks on the store: never call it on an event loop.
     *
     * @throws StoreUnavailableException when new routes cannot be seeded; nothing changed then
     */
    public synchronized void reconfigure(GatewayConfig next) {
        Map<String, RouteRules> seed = new LinkedHashMap<>();
        for (RouteConfig r : next.routes()) {
            if (!rules.containsKey(r.name())) seed.put(r.name(), RouteRules.initial(r.mode(), IpSet.parse(r.whitelist())));
        }
        Map<String, RouteRules> stored = seed.isEmpty() ? Map.of() : store.seed(seed);
        Map<String, RouteRules> known = new LinkedHashMap<>();
        List<Route> routes = new ArrayList<>();
        for (RouteConfig r : next.routes()) {
            RouteRules rr = rules.containsKey(r.name()) ? rules.get(r.name()) : stored.getOrDefault(r.name(), seed.get(r.name()));
            known.put(r.name(), rr);
            routes.add(compile(r, rr));
        }
        Set<String> kept = new TreeSet<>(unconfigured);
        kept.addAll(rules.keySet());
        kept.removeAll(known.keySet());
        config = next;
        snapshot = new RouteTable(routes);
        rules = Map.copyOf(known);
        unconfigured = Set.copyOf(kept);
        snapshotInfo = new SnapshotInfo(snapshotInfo.revision() + 1, Instant.now());
    }

    /** The configuration in force, the one given at start or the latest reload. */
    public GatewayConfig config() {
        return config;
    }

    /** Routes whose rules the store keeps though the configuration no longer names them, by name. */
    public Set<String> unconfiguredRoutes() {
        return unconfigured;
    }

    public RouteTable snapshot() {
        return snapshot;
    }

    /** How many snapshots this node has put in force since it started, and when the latest one went in. */
    public SnapshotInfo snapshotInfo() {
        return snapshotInfo;
    }

    /** Which snapshot is in force: its revision on this node (1 at start, one more per change) and when it went in. */
    public record SnapshotInfo(long revision, Instant installedAt) {
    }

    /** The runtime rules of a configured route, or null for an unknown name. */
    public RouteRules rules(String route) {
        return rules.get(route);
    }

    public RuleStore store() {
        return store;
    }

    /**
     * Applies a change through the store and puts it in force. Blocks on the store: never call it on an event loop.
     *
     * @throws UnknownRouteException when no such route is configured
     */
    public RouteRules apply(String route, RuleChange change) {
        if (config.route(route) == null) throw new UnknownRouteException(route);
        RouteRules next = store.apply(route, change);
        install(route, next, change.describe());
        return next;
    }

    private void changedElsewhere(String route, RouteRules next) {
        install(route, next, "changed in the store");
    }

    private synchronized void install(String route, RouteRules next, String what) {
        RouteConfig rc = config.route(route);
        if (rc == null) return; // a route the store knows but this node's configuration does not: nothing to serve
        RouteRules current = rules.get(route);
        if (current != null && !next.isNewerThan(current)) return; // an older or repeated notice arriving late
        Map<String, RouteRules> copy = new LinkedHashMap<>(rules);
        copy.put(route, next);
        // The route table first: whoever reads the new rules (the admin API, a test) then finds them in force.
        snapshot = snapshot.with(compile(rc, next));
        rules = Map.copyOf(copy);
        snapshotInfo = new SnapshotInfo(snapshotInfo.revision() + 1, Instant.now());
        if (next.keyWhitelist().key() == null) {
            log.info("route {}: {}; now mode {}, whitelist {} entries, version {}", route, what, next.mode(), next.whitelist().size(), next.version());
        } else {
            log.info("route {}: {}; now mode {}, whitelist {} entries, whitelistKey {} {} entries, version {}", route, what, next.mode(),
                    next.whitelist().size(), next.keyWhitelist().key(), next.keyWhitelist().entries().size(), next.version());
        }
    }

    static Route compile(RouteConfig rc, RouteRules rr) {
        List<Rule> compiled = new ArrayList<>();
        if (!rr.whitelist().isEmpty()) compiled.add(new Rule("whitelist", Condition.clientIpIn(rr.whitelist()), Route.GRAY));
        IpSet keyed = rr.keyWhitelist().entries();
        if (!keyed.isEmpty()) compiled.add(new Rule("whitelistKey " + rc.whitelistKey(), Condition.clientIpIn(keyed), Route.GRAY));
        return new Route(rc.name(), rc.pathPrefix(), rc.host(), rc.upstreamHost(),
                Map.of(Route.PRODUCTION, rc.stable(), Route.GRAY, rc.gray()), rr.mode(), compiled, rr.version());
    }

    @Override
    public void close() {
        store.close();
    }

    /** Thrown for a route name the configuration does not have; the admin API answers 404. */
    public static final class UnknownRouteException extends RuntimeException {
        public UnknownRouteException(String route) {
            super("no route named \"" + route + "\"");
        }
    }
}
