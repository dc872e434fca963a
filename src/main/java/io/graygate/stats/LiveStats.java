package io.graygate.stats;

import io.graygate.BuildInfo;
import io.graygate.routing.Route;
import io.graygate.routing.RouteTable;
import io.graygate.rules.RuleBook;
import io.graygate.store.NodeBoard;
import org.HdrHistogram.Histogram;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The live per-version statistics of this node, and of every live node on a shared store: windows of whole seconds
 * (1 s to 5 min) summed from the per-second samples of the {@link VersionMeter}s, which {@link StatsTicker} ends
 * each second and posts to the {@link NodeBoard} beside the node's heartbeat. A window ends at the last second this
 * node ended. A cluster query reads the other nodes' samples from the store, so it blocks (never on an event loop)
 * and throws {@link io.graygate.store.StoreUnavailableException} while the store is away.
 */
public final class LiveStats implements StatsQuery, AutoCloseable {

    private final TrafficMeters meters;
    private final Supplier<RouteTable> routes;
    private final NodeBoard board;
    private final StatsTicker ticker;
    private volatile String nodeId = "(not started)";
    private volatile String address = "";
    private volatile List<String> listeners = List.of();
    private boolean started;
    private boolean closed;

    public LiveStats(TrafficMeters meters, Supplier<RouteTable> routes, NodeBoard board) {
        this.meters = meters;
        this.routes = routes;
        this.board = board;
        this.ticker = new StatsTicker(meters, routes, board, this::self);
    }

    /**
     * Starts the ticks, which post heartbeats as {@code nodeId} (unique among the nodes sharing the board) naming this
     * admin address and these proxy listeners.
     */
    public synchronized LiveStats start(String nodeId, String adminAddress, List<String> proxyListeners) {
        if (started) throw new IllegalStateException("the live stats were started already");
        started = true;
        this.nodeId = nodeId;
        this.address = adminAddress;
        this.listeners = List.copyOf(proxyListeners);
        ticker.start();
        return this;
    }

    public String nodeId() {
        return nodeId;
    }

    /** Whether other nodes may share the figures (a shared store). */
    public boolean clustered() {
        return board.shared();
    }

    @Override
    public RouteStats query(String route, Duration window, StatsScope scope) {
        int seconds = windowSeconds(window);
        Route r = routes.get().route(route);
        if (r == null) throw new RuleBook.UnknownRouteException(route);
        long to = ticker.lastSecond();
        long from = to - seconds + 1;
        Map<String, Tally> tallies = new LinkedHashMap<>();
        for (String v : r.upstreamByVersion().keySet()) {
            Tally t = new Tally();
            tallies.put(v, t);
            VersionMeter m = meters.find(route, v);
            if (m == null) continue;
            for (long s = from; s <= to; s++) t.add(m.sample(s));
        }
        int nodes = 1;
        if (scope == StatsScope.CLUSTER && board.shared()) {
            for (String other : board.heartbeats().keySet()) {
                if (other.equals(nodeId)) continue;
                nodes++;
                for (String json : board.samples(other, route, from, to)) {
                    // The second is not needed to sum: each sample came from its own key.
                    StatsJson.readSamples(json, 0).forEach((v, s) -> {
                        Tally t = tallies.get(v);
                        if (t != null) t.add(s);
                    });
                }
            }
        }
        List<VersionStats> out = new ArrayList<>();
        tallies.forEach((v, t) -> out.add(t.stats(v, seconds)));
        return new RouteStats(route, Duration.ofSeconds(seconds), scope, nodes, out);
    }

    /** The window as whole seconds, 1 to 300; anything else is refused naming the field. */
    static int windowSeconds(Duration window) {
        if (window == null || window.isNegative() || window.isZero() || window.getNano() != 0
                || window.getSeconds() > VersionMeter.MAX_WINDOW_SECONDS) {
            throw new IllegalArgumentException("window: a whole number of seconds from 1 s to 5 min, not " + window);
        }
        return (int) window.getSeconds();
    }

    /** Every live node: this one first, then the others whose heartbeat has not lapsed, by id. */
    public List<NodeInfo> nodes() {
        List<NodeInfo> out = new ArrayList<>();
        out.add(self());
        if (!board.shared()) return out;
        board.heartbeats().entrySet().stream()
                .filter(e -> !e.getKey().equals(nodeId))
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> out.add(StatsJson.readHeartbeat(e.getKey(), e.getValue())));
        return out;
    }

    private NodeInfo self() {
        return new NodeInfo(nodeId, address, listeners, BuildInfo.version(), StatsTicker.revisions(routes.get()), StatsTicker.now(), true);
    }

    /** Stops the ticks and takes this node off the board. Harmless twice. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        ticker.close();
        if (started) board.leave(nodeId);
    }

    /** One version's sums over the window. */
    private static final class Tally {
        final long[] outcomes = new long[Outcome.COUNT];
        final Histogram latency = new Histogram(VersionMeter.HIGHEST_MICROS, VersionMeter.DIGITS);

        void add(SecondSample s) {
            if (s == null) return;
            for (int i = 0; i < outcomes.length; i++) outcomes[i] += s.outcomes()[i];
            s.addLatencyTo(latency);
        }

        VersionStats stats(String version, int seconds) {
            long requests = 0, errors = 0;
            for (int i = 0; i < outcomes.length; i++) {
                requests += outcomes[i];
                if (Outcome.isError(i)) errors += outcomes[i];
            }
            boolean none = latency.getTotalCount() == 0;
            return new VersionStats(version, requests, errors, requests / (double) seconds, requests == 0 ? 0 : errors / (double) requests,
                    none ? Double.NaN : millis(50), none ? Double.NaN : millis(95), none ? Double.NaN : millis(99));
        }

        private double millis(double percentile) {
            return latency.getValueAtPercentile(percentile) / 1000.0;
        }
    }
}
