package io.graygate.store;
import io.graygate.routing.ip.IpEntry;
import io.graygate.routing.ip.IpSet;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/**
 * An IP set a route reads from a Redis key it does not own (the OpenResty seed's {@code gray} key, through
 * {@code whitelistKey} or {@code ipSets: {NAME: {redisKey: KEY}}}), as last read by this node. {@code readRevision}
 * grows each time this node reads new content, so that a newer read wins over an older one at the same revision.
 */
public record KeySet(String key, IpSet entries, long readRevision) {

    private static final Pattern SEPARATORS = Pattern.compile("[,\\s]+");

    public KeySet {
        if (entries == null) throw new IllegalArgumentException("entries: is required");
    }

    /** A key's content read from Redis: the entries that parsed and the pieces that are not addresses. */
    public record Parsed(IpSet entries, List<String> rejected) {
    }

    /**
     * Parses the values of a key: each value may hold several entries separated by commas, spaces or newlines
     * (what {@code redis-cli set gray "10.0.0.1,10.0.0.2"} writes); a SET's members are parsed the same way.
     * Pieces that are neither an address nor a CIDR are returned as rejected, never thrown.
     */
    public static Parsed parse(Collection<String> values) {
        List<IpEntry> entries = new ArrayList<>();
        List<String> rejected = new ArrayList<>();
        for (String value : values) {
            for (String piece : SEPARATORS.split(value)) {
                if (piece.isEmpty()) continue;
                try {
                    entries.add(IpEntry.parse(piece));
                } catch (IllegalArgumentException e) {
                    rejected.add(piece);
                }
            }
        }
        return new Parsed(IpSet.of(entries), List.copyOf(rejected));
    }
}
