package io.graygate.stats;

import java.time.Duration;
import java.util.List;

/** A route's per-version figures over one window, from one node or merged over {@code nodes} live nodes. */
public record RouteStats(String route, Duration window, StatsScope scope, int nodes, List<VersionStats> versions) {

    public RouteStats {
        versions = List.copyOf(versions);
    }
}
