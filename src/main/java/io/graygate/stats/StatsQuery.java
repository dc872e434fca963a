package io.graygate.stats;

import java.time.Duration;

/**
 * Live per-version statistics, read off the rolling per-loop windows (never the access log). The window is any
 * whole number of seconds from 1 s to 5 min. With the cluster scope on a store without other nodes, the answer is
 * this node's alone ({@code nodes == 1}).
 */
public interface StatsQuery {

    /** The route's figures per configured version, every version listed even with no requests. */
    RouteStats query(String route, Duration window, StatsScope scope);
}
