package io.graygate.routing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The immutable, compiled rule snapshot: all routes, in match order. One request reads one table from start to end;
 * a change builds a new table and swaps it in whole.
 */
public final class RouteTable {

    public static final RouteTable EMPTY = new RouteTable(List.of());

    private final Route[] byMatchOrder;
    private final Map<String, Route> byName;

    public RouteTable(List<Route> routes) {
        List<Route> ordered = new ArrayList<>(routes);
        // Longest prefix first; at equal length a route bound to a host before one that takes any host.
        ordered.sort(Comparator.comparingInt((Route r) -> -r.pathPrefix().length())
                .thenComparing(r -> r.host() == null));
        this.byMatchOrder = ordered.toArray(new Route[0]);
        Map<String, Route> names = new LinkedHashMap<>();
        for (Route r : routes) names.put(r.name(), r);
        this.byName = Map.copyOf(names);
    }

    /** The route for a request, or null when none matches (the proxy answers 404); {@code host} may carry a port. */
    public Route find(String host, String path) {
        for (Route r : byMatchOrder) {
            if (r.matches(host, path)) return r;
        }
        return null;
    }

    public Route route(String name) {
        return byName.get(name);
    }

    /** The routes in the order the configuration lists them. */
    public List<Route> routes() {
        List<Route> out = new ArrayList<>(byName.values());
        out.sort(Comparator.comparing(Route::name));
        return out;
    }

    /** A copy with one route replaced. */
    public RouteTable with(Route replacement) {
        List<Route> routes = new ArrayList<>(byName.size());
        for (Route r : byMatchOrder) routes.add(r.name().equals(replacement.name()) ? replacement : r);
        return new RouteTable(routes);
    }
}
