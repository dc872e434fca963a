package io.graygate.stats;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every meter of one gateway, by label set. A route's meters are looked up here when it is compiled and carried by its
 * decisions, so the request path never sees this map; the same labels get the same meter across recompiles, so
 * counters only grow. {@link #NONE} hands out meters that count nothing.
 */
public final class TrafficMeters {

    /** Meters that count nothing, for a rule book without a proxy to count for. */
    public static final TrafficMeters NONE = new TrafficMeters(0);

    private final int loops;
    private final Map<List<String>, VersionMeter> versions = new ConcurrentHashMap<>();
    private final Map<List<String>, DecisionMeter> decisions = new ConcurrentHashMap<>();

    /** @param loops the proxy's event loops; each records in its own row, by its index */
    public TrafficMeters(int loops) {
        if (loops < 0) throw new IllegalArgumentException("loops must not be negative: " + loops);
        this.loops = loops;
    }

    /** The meter of decisions by {@code rule} for {@code version} of {@code route}, made once per label set. */
    public DecisionMeter decision(String route, String version, String rule) {
        if (loops == 0) return DecisionMeter.NONE;
        VersionMeter v = version(route, version);
        return decisions.computeIfAbsent(List.of(route, version, rule), k -> new DecisionMeter(rule, v, loops));
    }

    VersionMeter version(String route, String version) {
        return versions.computeIfAbsent(List.of(route, version), k -> new VersionMeter(route, version, loops));
    }

    /** The version's meter if it has served or may serve, else null. */
    VersionMeter find(String route, String version) {
        return versions.get(List.of(route, version));
    }

    List<VersionMeter> versions() {
        return new ArrayList<>(versions.values());
    }

    List<DecisionMeter> decisions() {
        return new ArrayList<>(decisions.values());
    }

    int loops() {
        return loops;
    }
}
