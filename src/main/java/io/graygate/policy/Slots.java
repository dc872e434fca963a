package io.graygate.policy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a route's bucket space (0 to 9999) is shared among its versions for sticky splits. Each version other than the
 * configured baseline owns a fixed slot, in the order the route lists its versions; a version with weight w takes the
 * first w buckets of its slot and the baseline everything else. So raising a weight moves users only from the
 * baseline to that version, lowering it only moves them back, and the users of other versions never move: slots are
 * not cumulative ranges that an earlier version's change would shift. When a promote makes another version the
 * baseline, the configured baseline takes the slot of the version promoted, and every other version keeps its own:
 * so a promote moves no user of the versions it leaves alone.
 */
public final class Slots {

    /** One version's slot: buckets {@code start} to {@code start + size - 1}. */
    public record Slot(int start, int size) {
    }

    private final Map<String, Slot> byVersion;

    private Slots(Map<String, Slot> byVersion) {
        this.byVersion = byVersion;
    }

    /**
     * @param versions   the route's versions, in the configuration's order
     * @param configured the configuration's baseline, which has no slot of its own
     * @param baseline   the baseline in force (a promote changes it)
     */
    public static Slots of(List<String> versions, String configured, String baseline) {
        List<String> others = versions.stream().filter(v -> !v.equals(configured)).toList();
        Map<String, Slot> out = new LinkedHashMap<>();
        if (!others.isEmpty()) {
            int size = Weights.ALL / others.size();
            for (int i = 0; i < others.size(); i++) out.put(others.get(i), new Slot(i * size, size));
        }
        Slot promoted = out.remove(baseline);
        if (promoted != null) out.put(configured, promoted);
        return new Slots(Map.copyOf(out));
    }

    /** The version's slot, or null for the baseline or an unknown name. */
    public Slot of(String version) {
        return byVersion.get(version);
    }
}
