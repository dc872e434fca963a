package io.graygate.stats;

import io.graygate.routing.Route;
import io.graygate.routing.RouteTable;
import io.graygate.store.NodeBoard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The live windows' clock, on a thread of its own: just after each wall-clock second it ends the second in every
 * {@link VersionMeter} and posts this node's heartbeat and the second's samples to the {@link NodeBoard}. Nothing
 * here runs on an event loop, and the post does not wait for the store.
 */
final class StatsTicker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StatsTicker.class);
    /** How long a heartbeat keeps a node counted: a node that stops posting drops out within this. */
    static final Duration HEARTBEAT_TTL = Duration.ofSeconds(5);
    /** How long a posted sample is kept: the longest window, and a little. */
    static final Duration SAMPLE_KEEP = Duration.ofSeconds(VersionMeter.MAX_WINDOW_SECONDS + 10);
    /** How far past the second's turn the tick runs, so that it ends the second just gone. */
    private static final long AFTER_TURN_MILLIS = 20;

    private final TrafficMeters meters;
    private final Supplier<RouteTable> routes;
    private final NodeBoard board;
    private final Supplier<NodeInfo> self;
    private final ScheduledExecutorService thread;
    /** The last second ended; read by queries, which end their windows there. */
    private volatile long lastSecond;
    private boolean failing;

    StatsTicker(TrafficMeters meters, Supplier<RouteTable> routes, NodeBoard board, Supplier<NodeInfo> self) {
        this.meters = meters;
        this.routes = routes;
        this.board = board;
        this.self = self;
        this.lastSecond = System.currentTimeMillis() / 1000 - 1;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "graygate-stats");
            t.setDaemon(true);
            return t;
        });
    }

    void start() {
        long now = System.currentTimeMillis();
        thread.scheduleAtFixedRate(this::tick, 1000 - now % 1000 + AFTER_TURN_MILLIS, 1000, TimeUnit.MILLISECONDS);
    }

    long lastSecond() {
        return lastSecond;
    }

    private void tick() {
        try {
            long second = System.currentTimeMillis() / 1000 - 1;
            if (second <= lastSecond) return; // a late tick caught up: what was recorded meanwhile goes into the next second
            Map<String, Map<String, SecondSample>> byRoute = new LinkedHashMap<>();
            for (VersionMeter v : meters.versions()) {
                SecondSample s = v.roll(second);
                if (s != null) byRoute.computeIfAbsent(v.route(), r -> new LinkedHashMap<>()).put(v.version(), s);
            }
            lastSecond = second;
            if (!board.shared()) return;
            Map<String, String> samples = new LinkedHashMap<>();
            byRoute.forEach((route, versions) -> samples.put(route, StatsJson.samples(versions)));
            NodeInfo me = self.get();
            board.post(me.id(), StatsJson.heartbeat(me), HEARTBEAT_TTL, second, samples, SAMPLE_KEEP);
            failing = false;
        } catch (RuntimeException e) {
            // Caught, since a tick that throws stops the schedule; said once until a tick goes through again.
            if (!failing) log.warn("stats: a tick failed; the ticks go on", e);
            failing = true;
        }
    }

    /** The revision in force on each route now, for the heartbeat. */
    static Map<String, Long> revisions(RouteTable table) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Route r : table.routes()) out.put(r.name(), r.revision());
        return out;
    }

    static Instant now() {
        return Instant.ofEpochMilli(System.currentTimeMillis());
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
