package io.graygate.store.redis;

import io.graygate.store.RouteState;
import io.graygate.store.RuleStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This node's view of every route's state in Redis. Writers and the sync thread both put states here, each only if it
 * is newer than what is held ({@link RouteState#isNewerThan}), so no lock is held across a Redis call: Redis orders the
 * writes (each is a compare-and-set on the revision) and this map only ever moves forward. Every state taken in is
 * told to the rule book and queued for the last-known-good snapshot.
 */
final class KnownStates {

    private static final Logger log = LoggerFactory.getLogger(KnownStates.class);

    private final Map<String, RouteState> states = new ConcurrentHashMap<>();
    private final List<String> order;
    private final LastKnownGood lastKnownGood;
    private volatile RuleStore.ChangeListener listener;
    /** False while the store opens: what is taken in then is returned by open, not told (the rule book is still opening). */
    private volatile boolean telling;

    KnownStates(List<String> routes, LastKnownGood lastKnownGood) {
        this.order = List.copyOf(routes);
        this.lastKnownGood = lastKnownGood;
    }

    void listener(RuleStore.ChangeListener l) {
        this.listener = l;
    }

    /** From now on every state taken in is told to the listener; call once opening is done, on the sync thread. */
    void startTelling() {
        telling = true;
    }

    RouteState get(String route) {
        return states.get(route);
    }

    /** The routes held: the configuration's, in its order, then any added since. */
    List<String> routes() {
        return List.copyOf(all().keySet());
    }

    /** Holds {@code s} without telling anyone: the states a node starts from. */
    void start(String route, RouteState s) {
        states.put(route, s);
    }

    /** Takes {@code s} in if it is newer than the state held; true when it did (the rule book has been told). */
    boolean offer(String route, RouteState s) {
        boolean[] taken = {false};
        states.compute(route, (k, held) -> {
            if (held == null || s.isNewerThan(held)) {
                taken[0] = true;
                return s;
            }
            return held;
        });
        if (!taken[0]) return false;
        RuleStore.ChangeListener l = listener;
        try {
            if (l != null && telling) l.routeChanged(route, s);
        } catch (RuntimeException e) {
            log.error("route {}: cannot put the new rules in force", route, e);
        }
        saveSnapshot();
        return true;
    }

    /** Every state held, in the configuration's order. */
    Map<String, RouteState> all() {
        Map<String, RouteState> out = new LinkedHashMap<>();
        for (String r : order) {
            RouteState s = states.get(r);
            if (s != null) out.put(r, s);
        }
        for (Map.Entry<String, RouteState> e : states.entrySet()) out.putIfAbsent(e.getKey(), e.getValue());
        return out;
    }

    /** Adds a route the store learns of after opening (a reload added it to the configuration). */
    void add(String route, RouteState s) {
        states.putIfAbsent(route, s);
    }

    void saveSnapshot() {
        lastKnownGood.save(all());
    }
}
