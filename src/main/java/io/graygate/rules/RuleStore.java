package io.graygate.rules;

import java.util.Map;

/**
 * Where runtime rules live. The embedded default is a local JSON file ({@link FileRuleStore}); a shared store lets
 * many gateway nodes act as one. Every method may block: call none of them on an event loop.
 */
public interface RuleStore extends AutoCloseable {

    /**
     * Loads the rules of every route, first writing {@code seed} rules for routes the store does not hold yet
     * (configured routes seed the store on their first start only), and from then on tells {@code listener} of
     * changes made by anyone else.
     */
    Map<String, RouteRules> open(Map<String, RouteRules> seed, ChangeListener listener);

    /**
     * Writes {@code seed} rules for the routes the store does not hold yet, as {@link #open} does on a first start, and
     * returns the rules the store now holds for each of them: a route added to the configuration on a reload.
     */
    Map<String, RouteRules> seed(Map<String, RouteRules> seed) throws StoreUnavailableException;

    /** Applies one change atomically and durably and returns the route's new rules. */
    RouteRules apply(String route, RuleChange change) throws StoreUnavailableException;

    StoreStatus status();

    /** Flushes and releases the store; harmless to call twice. */
    @Override
    void close();

    /** Told of rules that changed outside this node's own {@link #apply} calls. */
    @FunctionalInterface
    interface ChangeListener {
        void routeChanged(String route, RouteRules rules);
    }
}
