package io.graygate.store;

import io.graygate.policy.Policy;

import java.time.Instant;
import java.util.Objects;

/**
 * One revision of a route: when it was made, by whom, what changed (one line), and the policy in force from then on,
 * so that any kept revision can be rolled back to. {@code restored} is the revision a rollback restored the policy
 * of ({@link #BEFORE_HISTORY} when it fell back to the baseline with nothing earlier to restore), else null.
 */
public record HistoryEntry(long revision, Instant at, String actor, String change, Policy policy, Long restored) {

    /** What {@code restored} holds for a rollback that found nothing earlier: a further rollback stays on the baseline. */
    public static final long BEFORE_HISTORY = 0;

    public HistoryEntry {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(change, "change");
        Objects.requireNonNull(policy, "policy");
    }
}
