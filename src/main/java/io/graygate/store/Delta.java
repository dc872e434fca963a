package io.graygate.store;
import io.graygate.routing.ip.IpEntry;
import io.graygate.routing.ip.IpSet;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The effect of one change on a route, as a value every store applies the same way: from revision {@code from} to
 * {@code from + 1}, the entries added to and removed from each IP set, and the new history entry, which carries the
 * policy in force from then on. A store writes it as one atomic step (one file rewrite, one Lua script) and
 * announces it, so that other nodes apply the same delta without reading the route back.
 */
public record Delta(long from, Map<String, List<IpEntry>> added, Map<String, List<IpEntry>> removed, HistoryEntry entry) {

    public Delta {
        added = copy(added);
        removed = copy(removed);
        if (entry.revision() != from + 1) throw new IllegalArgumentException("a delta moves one revision: " + from + " to " + entry.revision());
    }

    public long to() {
        return from + 1;
    }

    /**
     * The state after this delta. Adding an entry a set holds, or removing one it lacks, changes nothing (as SADD and
     * SREM do); a set named only here is created.
     *
     * @throws IllegalStateException when {@code s} is not at revision {@link #from}
     */
    public RouteState applyTo(RouteState s) {
        if (s.revision() != from) throw new IllegalStateException("delta from revision " + from + " applied to revision " + s.revision());
        Map<String, IpSet> sets = new LinkedHashMap<>(s.ipSets());
        added.forEach((name, entries) -> sets.put(name, sets.getOrDefault(name, IpSet.EMPTY).with(entries)));
        removed.forEach((name, entries) -> sets.computeIfPresent(name, (n, set) -> set.without(entries)));
        return new RouteState(to(), entry.policy(), sets, s.historyWith(entry), s.keySets());
    }

    /** Entries carried, added and removed: what decides whether a notice may carry the delta or says "reload". */
    public int entryCount() {
        int n = 0;
        for (List<IpEntry> l : added.values()) n += l.size();
        for (List<IpEntry> l : removed.values()) n += l.size();
        return n;
    }

    private static Map<String, List<IpEntry>> copy(Map<String, List<IpEntry>> m) {
        Map<String, List<IpEntry>> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, List.copyOf(v)));
        return Collections.unmodifiableMap(out);
    }
}
