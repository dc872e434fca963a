package io.graygate.rules;

import io.graygate.audit.AuditEntry;
import io.graygate.audit.AuditLog;
import io.graygate.audit.AuditLogs;
import io.graygate.config.GatewayConfig;
import io.graygate.config.RouteConfig;
import io.graygate.policy.PolicyScope;
import io.graygate.routing.ip.IpSet;
import io.graygate.routing.Route;
import io.graygate.routing.RouteCompiler;
import io.graygate.routing.RouteTable;
import io.graygate.store.HistoryEntry;
import io.graygate.store.KeySet;
import io.graygate.store.RouteState;
import io.graygate.store.RuleStore;
import io.graygate.stats.TrafficMeters;
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
 * Owns the rules in force: the configured routes joined with their runtime state from the store, compiled into one
 * immutable {@link RouteTable} that is swapped whole on every change. Readers take {@link #snapshot()} with no lock.
 */
public final class RuleBook implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RuleBook.class);

    private volatile GatewayConfig config;
    private final RuleStore store;
    private final TrafficMeters meters;
    /** Routes the store holds state for that the configuration no longer names (kept, not served). */
    private volatile Set<String> unconfigured = Set.of();
    private volatile RouteTable snapshot = RouteTable.EMPTY;
    private volatile Map<String, RouteState> states = Map.of();
    private volatile SnapshotInfo snapshotInfo = new SnapshotInfo(0, null);
    private final AuditLog audit;
    private final String node;
    /** Serializes reloads; held while new routes are seeded, when the book's own lock must stay free. */
    private final Object reloading = new Object();
    /** The newest state heard of for routes this node does not serve, so a reload adding one starts from it. */
    private final Map<String, RouteState> unserved = new java.util.concurrent.ConcurrentHashMap<>();

    public RuleBook(GatewayConfig config, RuleStore store) {
        this(config, store, AuditLogs.none(), "local");
    }

    /** @param audit where every change put in force is recorded, as made on {@code node} */
    public RuleBook(GatewayConfig config, RuleStore store, AuditLog audit, String node) {
        this(config, store, audit, node, TrafficMeters.NONE);
    }

    /**
     * @param audit  where every change put in force is recorded, as made on {@code node}
     * @param meters where the compiled decisions find their counters (the proxy's, sized for its event loops)
     */
    public RuleBook(GatewayConfig config, RuleStore store, AuditLog audit, String node, TrafficMeters meters) {
        this.config = config;
        this.store = store;
        this.audit = audit;
        this.node = node;
        this.meters = meters;
    }

    public AuditLog audit() {
        return audit;
    }

    /** Loads the rules from the store (seeding it from the configuration the first time) and compiles the first snapshot. */
    public RuleBook open() {
        return open(Set.of());
    }

    /**
     * As {@link #open()}, then puts the configuration's policy and IP sets back in force on the {@code reseed} routes
     * (the store's state wins after a route's first start; this is how an edited configuration is applied).
     */
    public RuleBook open(Set<String> reseed) {
        for (String r : reseed) if (config.route(r) == null) throw new UnknownRouteException(r);
        Map<String, RouteState> seeds = new LinkedHashMap<>();
        for (RouteConfig r : config.routes()) seeds.put(r.name(), seed(r));
        // Held across store.open: a change the store reports before the first snapshot is built waits for it
        // instead of being overwritten by it.
        synchronized (this) {
            Map<String, RouteState> loaded = store.open(seeds, this::changedElsewhere);
            Map<String, RouteState> known = new LinkedHashMap<>();
            List<Route> routes = new ArrayList<>();
            for (RouteConfig r : config.routes()) {
                RouteState s = loaded.getOrDefault(r.name(), seeds.get(r.name()));
                known.put(r.name(), s);
                routes.add(compile(r, s));
                if (!reseed.contains(r.name())) reportDifference(r, seeds.get(r.name()), s);
            }
            snapshot = new RouteTable(routes);
            states = Map.copyOf(known);
            snapshotInfo = new SnapshotInfo(1, Instant.now());
            Set<String> stored = new TreeSet<>(loaded.keySet());
            stored.removeAll(known.keySet());
            unconfigured = Set.copyOf(stored);
        }
        for (String r : reseed) {
            RouteConfig rc = config.route(r);
            RouteState s = seed(rc);
            apply(r, RuleChange.reseed(s.policy(), s.ipSets()), "reseed");
        }
        return this;
    }

    /** The state a configured route starts with in a store that does not hold it yet. */
    static RouteState seed(RouteConfig rc) {
        Map<String, IpSet> sets = new LinkedHashMap<>();
        rc.ipSets().forEach((name, entries) -> sets.put(name, IpSet.parse(entries)));
        Map<String, KeySet> keys = new LinkedHashMap<>();
        rc.keyedSets().forEach((name, key) -> keys.put(name, new KeySet(key, IpSet.EMPTY, 0)));
        HistoryEntry first = new HistoryEntry(1, Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS), "config", "seeded from the configuration", rc.policy(), null);
        return new RouteState(1, rc.policy(), sets, List.of(first), keys);
    }

    /**
     * Says once, at start, where a route's rules in the configuration differ from the store's, which are in force:
     * so an edited whitelist in the YAML is never silently ignored.
     */
    private static void reportDifference(RouteConfig rc, RouteState config, RouteState stored) {
        List<String> differences = new ArrayList<>();
        if (!config.policy().equals(stored.policy())) {
            differences.add("policy (configuration: " + RuleChange.summary(config.policy()) + "; store: " + RuleChange.summary(stored.policy()) + ")");
        }
        for (Map.Entry<String, IpSet> e : config.ipSets().entrySet()) {
            IpSet held = stored.ipSets().get(e.getKey());
            if (held == null || !sameEntries(e.getValue(), held)) {
                differences.add("IP set " + e.getKey() + " (configuration: " + entries(e.getValue().size()) + "; store: "
                        + (held == null ? "none" : entries(held.size())) + ")");
            }
        }
        if (differences.isEmpty()) return;
        log.warn("route {}: the configuration's rules differ from the store's, and the store's are in force: {}. To put the "
                + "configuration's in force: graygate serve --reseed {} (at start), or graygate policy apply / graygate set add|remove",
                rc.name(), String.join("; ", differences), rc.name());
    }

    private static boolean sameEntries(IpSet a, IpSet b) {
        if (a.size() != b.size()) return false;
        boolean[] same = {true};
        a.forEach(e -> { if (!b.containsEntry(e)) same[0] = false; });
        return same[0];
    }

    private static String entries(int n) {
        return n == 1 ? "1 entry" : n + " entries";
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

    /** The runtime state of a configured route, or null for an unknown name. */
    public RouteState state(String route) {
        return states.get(route);
    }

    public RuleStore store() {
        return store;
    }

    public GatewayConfig config() {
        return config;
    }

    /**
     * Puts a reloaded configuration's routes in force: a route new to it is seeded into the store as on a first start
     * (a route the store still holds from before keeps its state), every route is compiled again against the new
     * configuration, and the table is swapped whole. A route the configuration dropped keeps its state in the store.
     * Blocks on the store: never call it on an event loop.
     *
     * @throws io.graygate.store.StoreUnavailableException when a new route cannot be seeded; nothing changed then
     */
    public void reconfigure(GatewayConfig next) {
        synchronized (reloading) {
            // Seeded with no lock held: the store's sync thread, which tells this book of changes, is where the seed
            // runs, and telling takes the book's lock (holding it here deadlocked a reload adding a route another
            // node had changed).
            Map<String, RouteState> seeded = new LinkedHashMap<>();
            for (RouteConfig r : next.routes()) {
                if (!states.containsKey(r.name())) seeded.put(r.name(), store.seed(r.name(), seed(r)));
            }
            swapIn(next, seeded);
        }
    }

    private synchronized void swapIn(GatewayConfig next, Map<String, RouteState> seeded) {
        Map<String, RouteState> known = new LinkedHashMap<>();
        List<Route> routes = new ArrayList<>();
        List<AuditEntry> changes = new ArrayList<>();
        Instant now = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        for (RouteConfig r : next.routes()) {
            RouteState s;
            RouteConfig old = config.route(r.name());
            if (states.containsKey(r.name())) {
                s = states.get(r.name());
                if (old != null && !old.equals(r)) {
                    changes.add(entry(now, RELOAD, r.name(), "route settings changed by a reload (versions, upstreams, match); rules kept", s.revision(), s.revision()));
                }
            } else {
                s = seeded.get(r.name());
                RouteState heard = unserved.remove(r.name());
                if (heard != null && heard.isNewerThan(s)) s = heard; // changed elsewhere while it was being seeded
                // A store that held the route already (kept from before, or seeded by another node first) keeps its rules.
                boolean fromConfig = s.revision() == 1 && s.policy().equals(r.policy());
                changes.add(entry(now, RELOAD, r.name(), fromConfig ? "route added by a reload, seeded from the configuration: " + RuleChange.summary(s.policy())
                        : "route added by a reload, rules kept in the store: " + RuleChange.summary(s.policy()), 0, s.revision()));
            }
            known.put(r.name(), s);
            routes.add(compile(r, s));
        }
        for (RouteConfig old : config.routes()) {
            if (next.route(old.name()) == null) {
                long rev = states.containsKey(old.name()) ? states.get(old.name()).revision() : 0;
                changes.add(entry(now, RELOAD, old.name(), "route removed by a reload; its rules stay in the store, not served", rev, rev));
            }
        }
        Set<String> kept = new TreeSet<>(unconfigured);
        kept.addAll(states.keySet());
        kept.removeAll(known.keySet());
        config = next;
        snapshot = new RouteTable(routes);
        states = Map.copyOf(known);
        unconfigured = Set.copyOf(kept);
        snapshotInfo = new SnapshotInfo(snapshotInfo.revision() + 1, Instant.now());
        changes.forEach(audit::record);
    }

    /** Routes whose state the store keeps though the configuration no longer names them, by name. */
    public Set<String> unconfiguredRoutes() {
        return unconfigured;
    }

    /** What a route's policies may name now: its versions and IP sets. */
    public PolicyScope scope(String route) {
        RouteConfig rc = config.route(route);
        if (rc == null) throw new UnknownRouteException(route);
        RouteState s = states.get(route);
        return rc.scope(s == null ? rc.ipSets().keySet() : s.allSets().keySet());
    }

    /**
     * Applies a change through the store and puts it in force. Blocks on the store: never call it on an event loop.
     *
     * @throws UnknownRouteException      when no such route is configured
     * @throws io.graygate.policy.PolicyException when the change does not fit the route; nothing changed
     */
    public RouteState apply(String route, RuleChange change, String actor) {
        RouteConfig rc = config.route(route);
        if (rc == null) throw new UnknownRouteException(route);
        RuleChange.Meta meta = new RuleChange.Meta(actor, Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
        RouteState next = store.apply(route, current -> change.plan(route, current, rc.scope(current.allSets().keySet()), meta));
        install(route, next);
        HistoryEntry made = next.entry(next.revision());
        audit.record(entry(meta.at(), actor, route, made == null ? "changed" : made.change(), next.revision() - 1, next.revision()));
        return next;
    }

    private AuditEntry entry(Instant at, String actor, String route, String change, long before, long after) {
        return new AuditEntry(at, actor, node, route, change, before, after);
    }

    /** The actor of the changes a configuration reload makes. */
    public static final String RELOAD = "reload";

    private void changedElsewhere(String route, RouteState next) {
        install(route, next);
    }

    private synchronized void install(String route, RouteState next) {
        RouteConfig rc = config.route(route);
        if (rc == null) { // a route the store knows but this node's configuration does not (yet): nothing to serve
            unserved.merge(route, next, (held, offered) -> offered.isNewerThan(held) ? offered : held);
            return;
        }
        RouteState current = states.get(route);
        if (current != null && !next.isNewerThan(current)) return; // an older or repeated notice arriving late
        Route compiled = compile(rc, next);
        Map<String, RouteState> copy = new LinkedHashMap<>(states);
        copy.put(route, next);
        // The route table first: whoever reads the new state (the admin API, a test) then finds it in force.
        snapshot = snapshot.with(compiled);
        states = Map.copyOf(copy);
        snapshotInfo = new SnapshotInfo(snapshotInfo.revision() + 1, Instant.now());
        if (current != null) recordKeyChanges(route, current, next);
        HistoryEntry last = next.history().isEmpty() ? null : next.history().get(next.history().size() - 1);
        if (current != null && current.revision() == next.revision()) {
            next.keySets().forEach((set, k) -> log.info("route {}: IP set {} read from Redis key {}: {} in force",
                    route, set, k.key(), entries(k.entries().size())));
        } else {
            log.info("route {}: {} (revision {}, by {})", route, last == null ? "changed" : last.change(), next.revision(),
                    last == null ? "?" : last.actor());
        }
    }

    /** A whitelist key changed with redis-cli: recorded as made by {@code redis-key:KEY} (every node that reads it records it). */
    private void recordKeyChanges(String route, RouteState current, RouteState next) {
        next.keySets().forEach((set, k) -> {
            KeySet was = current.keySets().get(set);
            if (was != null && was.readRevision() == k.readRevision() && was.key().equals(k.key())) return;
            String change = "IP set " + set + " read from Redis key " + k.key() + ": " + entries(k.entries().size()) + " in force"
                    + (was == null ? "" : " (was " + entries(was.entries().size()) + ")");
            audit.record(entry(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS), "redis-key:" + k.key(), route, change,
                    current.revision(), next.revision()));
        });
    }

    private Route compile(RouteConfig rc, RouteState s) {
        return RouteCompiler.compile(rc, s.policy(), s.allSets(), s.revision(), meters);
    }

    @Override
    public void close() {
        store.close();
    }

    /** Thrown for a route name the configuration does not have; the admin API answers 404. */
    public static final class UnknownRouteException extends RuntimeException {
        public UnknownRouteException(String route) {
            super("route \"" + route + "\" not found");
        }
    }
}
