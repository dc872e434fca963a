package io.graygate.store;

import java.util.Map;

/**
 * Where the runtime state of the routes lives: policies, IP sets and history. The embedded default is a local JSON
 * file ({@code store.file.FileRuleStore}); Redis lets many gateway nodes act as one ({@code store.redis}). Every
 * method may block: call none of them on an event loop.
 */
public interface RuleStore extends AutoCloseable {

    /**
     * Loads the state of every route, first writing {@code seed} states for routes the store does not hold yet
     * (configured routes seed the store on their first start only), and from then on tells {@code listener} of
     * changes made by anyone else.
     */
    Map<String, RouteState> open(Map<String, RouteState> seed, ChangeListener listener);

    /**
     * Applies one change atomically and durably: plans it on the route's current state and writes the delta only
     * if the route is still at the revision it was planned on (compare-and-set), planning again on the newer state
     * when another node got there first. Returns the route's new state.
     *
     * @throws StoreUnavailableException when the store cannot take the write now; nothing was changed, or (as the
     *                                   message says) the outcome is unknown
     * @throws IllegalArgumentException  when the route is unknown, or the plan refuses the change
     */
    RouteState apply(String route, ChangePlan plan);

    /** Seeds a route the store does not hold yet (a route added to the configuration by a reload); its state after. */
    RouteState seed(String route, RouteState seed);

    StoreStatus status();

    /** Where this node and the others sharing the store post their heartbeats and traffic; one node alone by default. */
    default NodeBoard nodeBoard() {
        return NodeBoard.ALONE;
    }

    /** Flushes and releases the store; harmless to call twice. */
    @Override
    void close();

    /** Turns a route's current state into the delta of one change; may be called again on a newer state. */
    @FunctionalInterface
    interface ChangePlan {
        Delta plan(RouteState current);
    }

    /** Told of states that changed outside this node's own {@link #apply} calls. */
    @FunctionalInterface
    interface ChangeListener {
        void routeChanged(String route, RouteState state);
    }
}
