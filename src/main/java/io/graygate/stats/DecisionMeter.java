package io.graygate.stats;

/**
 * The counters a compiled decision carries to the request path, bound when its route is compiled: how often it was
 * made, per event loop, and its version's {@link VersionMeter}. {@link #NONE} counts nothing (a rule book built
 * without meters, as in tests of routing alone).
 */
public class DecisionMeter {

    /** Counts nothing. */
    public static final DecisionMeter NONE = new DecisionMeter(null, null, 0) {
        @Override
        public void decided(int loop) {
        }

        @Override
        public void finished(int loop, int outcome, long totalNanos, long upstreamNanos) {
        }

        @Override
        public String toString() {
            return "(not counted)";
        }
    };

    private final String rule;
    private final VersionMeter version;
    private final LoopSlots made;

    DecisionMeter(String rule, VersionMeter version, int loops) {
        this.rule = rule;
        this.version = version;
        this.made = loops == 0 ? null : new LoopSlots(loops, 1);
    }

    /** The decision was made on event loop {@code loop}; only on that loop. */
    public void decided(int loop) {
        made.add(loop, 0, 1);
    }

    /**
     * An exchange it decided ended on event loop {@code loop}; only on that loop.
     *
     * @param outcome       an {@link Outcome}
     * @param upstreamNanos the upstream's time to answer, or -1 when no upstream answered
     */
    public void finished(int loop, int outcome, long totalNanos, long upstreamNanos) {
        version.finished(loop, outcome, totalNanos, upstreamNanos);
    }

    String rule() {
        return rule;
    }

    VersionMeter version() {
        return version;
    }

    long made() {
        return made.sum(0);
    }

    @Override
    public String toString() {
        return version + " by " + rule;
    }
}
