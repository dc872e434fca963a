package io.graygate.store;

import io.graygate.policy.Policy;
import io.graygate.routing.ip.IpSet;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The runtime state of one route, the part that changes without a restart and lives in the rule store: the policy,
 * the IP sets, the revision that every change increments, and the last {@value #HISTORY_KEPT} revisions. The sets a
 * route reads from Redis keys ({@code keySets}) are carried beside it, read by each node on its own.
 */
public record RouteState(long revision, Policy policy, Map<String, IpSet> ipSets, List<HistoryEntry> history,
                         Map<String, KeySet> keySets) {

    /** Revisions kept per route, oldest dropped first. */
    public static final int HISTORY_KEPT = 100;

    public RouteState {
        Objects.requireNonNull(policy, "policy");
        ipSets = Collections.unmodifiableMap(new LinkedHashMap<>(ipSets));
        history = List.copyOf(history);
        keySets = keySets == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(keySets));
    }

    public RouteState withKeySet(String set, KeySet k) {
        Map<String, KeySet> copy = new LinkedHashMap<>(keySets);
        copy.put(set, k);
        return new RouteState(revision, policy, ipSets, history, copy);
    }

    public RouteState withKeySets(Map<String, KeySet> k) {
        return new RouteState(revision, policy, ipSets, history, k);
    }

    /** Every set the policy may name: the route's own and those read from keys. */
    public Map<String, IpSet> allSets() {
        Map<String, IpSet> out = new LinkedHashMap<>(ipSets);
        keySets.forEach((name, k) -> out.put(name, k.entries()));
        return out;
    }

    /** The history entry of a revision, or null when it is not kept. */
    public HistoryEntry entry(long rev) {
        for (int i = history.size() - 1; i >= 0; i--) if (history.get(i).revision() == rev) return history.get(i);
        return null;
    }

    /** The history with {@code e} appended, trimmed to the last {@value #HISTORY_KEPT}. */
    List<HistoryEntry> historyWith(HistoryEntry e) {
        List<HistoryEntry> out = new ArrayList<>(Math.min(history.size() + 1, HISTORY_KEPT));
        int skip = Math.max(0, history.size() + 1 - HISTORY_KEPT);
        for (int i = skip; i < history.size(); i++) out.add(history.get(i));
        out.add(e);
        return out;
    }

    /**
     * True when this state is later than {@code other}: a higher revision, or the same revision with sets read more
     * recently from the Redis keys (a plain {@code redis-cli} change to such a key bumps no revision).
     */
    public boolean isNewerThan(RouteState other) {
        if (revision != other.revision) return revision > other.revision;
        return keyReads() > other.keyReads();
    }

    private long keyReads() {
        long n = 0;
        for (KeySet k : keySets.values()) n += k.readRevision();
        return n;
    }
}
