package io.graygate.rollout;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The recorded state of one route's rollout, kept in the store so that any node, after any restart, continues
 * where the last driver stopped: the phase, the step and the time already spent in it, the consecutive failed
 * intervals, the policy revision the rollout last wrote or accepted (so a change by anyone else is seen), whether
 * the split it wants is confirmed in force, and every analysis result and transition. {@code generation} counts the
 * writes of this record, each one a compare-and-set on it.
 */
public record RolloutState(String route, RolloutSpec spec, Phase phase, int step, long stepElapsedMillis, int failures,
                           int passesInStep, String reason, boolean waitingForTraffic, long revision, boolean settled,
                           String baseline, Instant startedAt, Instant updatedAt, long generation,
                           List<AnalysisResult> analyses, List<Event> events) {

    /** Analysis results kept, oldest dropped first. */
    public static final int ANALYSES_KEPT = 100;
    /** Transitions kept, oldest dropped first. */
    public static final int EVENTS_KEPT = 200;

    public enum Phase {
        PROGRESSING, PAUSED, ABORTED, SUCCEEDED;

        public String text() {
            return name().toLowerCase();
        }

        /** A running rollout is driven and refuses another start: progressing or paused. */
        public boolean running() {
            return this == PROGRESSING || this == PAUSED;
        }

        public static Phase parse(String text) {
            for (Phase p : values()) if (p.text().equals(text)) return p;
            throw new IllegalArgumentException("unknown rollout phase \"" + text + "\"");
        }
    }

    /**
     * One transition: when, by whom (actor {@code rollout} or the API caller), on which node, from which phase and
     * step to which, the weight the new version then has, and why.
     */
    public record Event(Instant at, String actor, String node, String from, String to, int step, int weight, String reason) {
    }

    public RolloutState {
        Objects.requireNonNull(route, "route");
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(phase, "phase");
        analyses = List.copyOf(analyses);
        events = List.copyOf(events);
    }

    /** A new rollout at its first step, not yet in force. */
    public static RolloutState start(String route, RolloutSpec spec, String baseline, long revision, Instant at, Event started) {
        return new RolloutState(route, spec, Phase.PROGRESSING, 0, 0, 0, 0, null, false, revision, false, baseline, at, at, 0,
                List.of(), List.of(started));
    }

    /** The new version's weight the rollout wants in force now, in basis points. */
    public int desiredWeight() {
        return switch (phase) {
            case PROGRESSING, PAUSED -> spec.step(step).weight();
            case SUCCEEDED -> spec.steps().get(spec.steps().size() - 1).weight();
            case ABORTED -> spec.onAbort() == RolloutSpec.OnAbort.ROLLBACK || step == 0 ? 0 : spec.step(step - 1).weight();
        };
    }

    /** True when the rollout wants everyone on the new version (succeeded, with {@code onSuccess: switch}). */
    public boolean desiresSwitch() {
        return phase == Phase.SUCCEEDED && spec.onSuccess() == RolloutSpec.OnSuccess.SWITCH;
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** A copy with some fields changed; {@link #build} refuses nothing, the record's constructor checks. */
    public static final class Builder {
        private final RolloutState from;
        private Phase phase;
        private int step;
        private long stepElapsedMillis;
        private int failures;
        private int passesInStep;
        private String reason;
        private boolean waitingForTraffic;
        private long revision;
        private boolean settled;
        private Instant updatedAt;
        private long generation;
        private final List<AnalysisResult> analyses;
        private final List<Event> events;

        private Builder(RolloutState s) {
            from = s;
            phase = s.phase;
            step = s.step;
            stepElapsedMillis = s.stepElapsedMillis;
            failures = s.failures;
            passesInStep = s.passesInStep;
            reason = s.reason;
            waitingForTraffic = s.waitingForTraffic;
            revision = s.revision;
            settled = s.settled;
            updatedAt = s.updatedAt;
            generation = s.generation;
            analyses = new ArrayList<>(s.analyses);
            events = new ArrayList<>(s.events);
        }

        public Builder phase(Phase p) { phase = p; return this; }
        public Builder step(int s) { step = s; return this; }
        public Builder stepElapsedMillis(long ms) { stepElapsedMillis = ms; return this; }
        public Builder failures(int n) { failures = n; return this; }
        public Builder passesInStep(int n) { passesInStep = n; return this; }
        public Builder reason(String r) { reason = r; return this; }
        public Builder waitingForTraffic(boolean w) { waitingForTraffic = w; return this; }
        public Builder revision(long r) { revision = r; return this; }
        public Builder settled(boolean s) { settled = s; return this; }
        public Builder updatedAt(Instant at) { updatedAt = at; return this; }
        public Builder generation(long g) { generation = g; return this; }

        public Builder analysis(AnalysisResult a) {
            analyses.add(a);
            if (analyses.size() > ANALYSES_KEPT) analyses.remove(0);
            return this;
        }

        public Builder event(Event e) {
            events.add(e);
            if (events.size() > EVENTS_KEPT) events.remove(0);
            return this;
        }

        public Phase phase() { return phase; }
        public int step() { return step; }

        public RolloutState build() {
            return new RolloutState(from.route, from.spec, phase, step, stepElapsedMillis, failures, passesInStep, reason, waitingForTraffic,
                    revision, settled, from.baseline, from.startedAt, updatedAt, generation, analyses, events);
        }
    }
}
