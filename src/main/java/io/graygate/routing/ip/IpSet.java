package io.graygate.routing.ip;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * An immutable set of addresses and CIDR ranges, IPv4 and IPv6, with lookups whose cost does not grow with the
 * number of single addresses (open-addressing hash tables) and grows only logarithmically with the number of ranges
 * (binary search over merged, sorted ranges). An IPv4 lookup first asks a small filter in front of each table, so that
 * a miss, the common answer, seldom touches the large tables' memory.
 *
 * <p>Single addresses are not kept as strings: one million IPv4 entries cost about 9 MB here (8 MB of table, 1 MB of
 * filter), against well over 100 MB as a {@code HashSet<String>}.
 */
public final class IpSet {

    public static final IpSet EMPTY = new IpSet(new int[0], false, new long[0], new IpEntry[0]);

    private final int[] v4;           // open addressing; 0 marks an empty slot, 0.0.0.0 itself is held in v4Zero
    private final boolean v4Zero;
    private final int v4Count;
    private final long[] v6;          // open addressing over (hi, lo) pairs; (0, 0) marks an empty slot
    private final int v6Count;
    private final IpEntry[] cidrs;    // as entered (sorted), for listing
    private final long[] rangeFirst;  // merged, disjoint IPv6 ranges, as (hi, lo) pairs, sorted by first address
    private final long[] rangeLast;
    private final int[] v4Ranges;     // merged, disjoint IPv4 ranges: (first, last) pairs, unsigned, sorted
    private final int[] v4Buckets;    // v4Buckets[b]: the first pair whose first address has bucket >= b
    private final int v4BucketShift;  // bucket of an IPv4 address: its top (32 - shift) bits
    private final long[] v4Filter;    // a blocked Bloom filter over the single IPv4 addresses: three bits in one word
    private final long[] v4RangeBlocks; // a bit per /20 block that some IPv4 range touches

    private IpSet(int[] v4, boolean v4Zero, long[] v6, IpEntry[] cidrs) {
        this.v4 = v4;
        this.v4Zero = v4Zero;
        this.v4Count = countV4(v4) + (v4Zero ? 1 : 0);
        this.v6 = v6;
        this.v6Count = countV6(v6);
        this.cidrs = cidrs;
        // IPv4 and IPv6 are separate families: an IPv6 range (::/0 included) never covers an IPv4 address, though
        // its bits may span the IPv4-mapped block, so each family's ranges are merged and searched apart. IPv4
        // clients, the common case, search a compact table of their own, indexed by leading bits, so that a lookup
        // among 100,000 ranges touches a few cache lines instead of a 17-step binary search over 128-bit values.
        List<IpEntry> v4Cidrs = new ArrayList<>(), v6Cidrs = new ArrayList<>();
        for (IpEntry c : cidrs) (c.isV4() ? v4Cidrs : v6Cidrs).add(c);
        List<long[]> wide = mergeRanges(v6Cidrs);
        List<long[]> v4Merged = mergeRanges(v4Cidrs);
        int[] v4Pairs = new int[v4Merged.size() * 2];
        int v4n = 0;
        for (long[] r : v4Merged) {
            v4Pairs[2 * v4n] = (int) r[1];
            v4Pairs[2 * v4n + 1] = (int) r[3];
            v4n++;
        }
        this.rangeFirst = new long[wide.size() * 2];
        this.rangeLast = new long[wide.size() * 2];
        for (int i = 0; i < wide.size(); i++) {
            long[] r = wide.get(i);
            rangeFirst[2 * i] = r[0];
            rangeFirst[2 * i + 1] = r[1];
            rangeLast[2 * i] = r[2];
            rangeLast[2 * i + 1] = r[3];
        }
        this.v4Ranges = Arrays.copyOf(v4Pairs, 2 * v4n);
        // About one bucket per range, at most 65,536 (a 256 KB index); one bucket, a plain binary search, when few.
        int bits = v4n == 0 ? 0 : Math.min(16, 31 - Integer.numberOfLeadingZeros(v4n));
        this.v4BucketShift = 32 - bits;
        this.v4Buckets = new int[(1 << bits) + 1];
        int pair = 0;
        for (int b = 0; b < v4Buckets.length; b++) {
            while (pair < v4n && v4Bucket(v4Ranges[2 * pair]) < b) pair++;
            v4Buckets[b] = pair;
        }
        // A miss, the common answer, costs a probe into the hash table (8 MB for a million addresses) and into the
        // range table, each a likely cache miss. The filter (about a byte an address) and the /20 bitmap (128 KB)
        // answer most misses from memory that stays in cache, and never turn a member away.
        this.v4Filter = new long[filterWords(v4Count)];
        for (int x : v4) if (x != 0) v4Filter[filterWord(x)] |= filterBits(x);
        this.v4RangeBlocks = new long[v4n == 0 ? 0 : 1 << (BLOCK_BITS - 6)];
        for (int i = 0; i < v4n; i++) {
            for (int block = v4Ranges[2 * i] >>> (32 - BLOCK_BITS), last = v4Ranges[2 * i + 1] >>> (32 - BLOCK_BITS); block <= last; block++) {
                v4RangeBlocks[block >>> 6] |= 1L << block;
            }
        }
    }

    public static IpSet of(Collection<IpEntry> entries) {
        return EMPTY.with(entries);
    }

    public static IpSet parse(Collection<String> entries) {
        List<IpEntry> parsed = new ArrayList<>(entries.size());
        for (String e : entries) parsed.add(IpEntry.parse(e));
        return of(parsed);
    }

    public boolean contains(IpAddress a) {
        return contains(a.hi(), a.lo());
    }

    public boolean contains(long hi, long lo) {
        if (hi == IpAddress.V4_MAPPED_HI && (lo & 0xFFFF_FFFF_0000_0000L) == IpAddress.V4_MAPPED_LO_PREFIX) {
            return containsV4((int) lo) || inV4Range((int) lo);
        }
        return containsV6(hi, lo) || inRange(hi, lo);
    }

    /** Number of entries as listed: single addresses plus CIDR ranges. */
    public int size() {
        return v4Count + v6Count + cidrs.length;
    }

    public boolean isEmpty() {
        return size() == 0;
    }

    /** The first listed entry that covers the address (of its own family), for explanations; slow (scans the ranges), never on the request path. */
    public IpEntry entryCovering(IpAddress a) {
        boolean single = a.isV4() ? containsV4(a.v4()) : containsV6(a.hi(), a.lo());
        if (single) return new IpEntry(a, 128);
        for (IpEntry c : cidrs) {
            if (c.contains(a)) return c;
        }
        return null;
    }

    public boolean containsEntry(IpEntry e) {
        if (e.isSingleAddress()) {
            IpAddress a = e.base();
            return a.isV4() ? containsV4(a.v4()) : containsV6(a.hi(), a.lo());
        }
        return Arrays.binarySearch(cidrs, e, CIDR_ORDER) >= 0;
    }

    /** Visits every entry: single addresses first (in table order), then ranges in address order. */
    public void forEach(Consumer<IpEntry> action) {
        if (v4Zero) action.accept(new IpEntry(IpAddress.ofV4(0), 128));
        for (int x : v4) if (x != 0) action.accept(new IpEntry(IpAddress.ofV4(x), 128));
        for (int i = 0; i < v6.length; i += 2) {
            if (v6[i] != 0 || v6[i + 1] != 0) action.accept(new IpEntry(new IpAddress(v6[i], v6[i + 1]), 128));
        }
        for (IpEntry c : cidrs) action.accept(c);
    }

    public List<String> toStrings() {
        List<String> out = new ArrayList<>(size());
        forEach(e -> out.add(e.toString()));
        return out;
    }

    /** A new set holding these entries too. */
    public IpSet with(Collection<IpEntry> added) {
        if (added.isEmpty()) return this;
        int newV4 = 0, newV6 = 0;
        Set<IpEntry> newCidrs = new LinkedHashSet<>(Arrays.asList(cidrs));
        for (IpEntry e : added) {
            if (!e.isSingleAddress()) newCidrs.add(e);
            else if (e.base().isV4()) newV4++;
            else newV6++;
        }
        int[] v4Table = newV4 == 0 ? v4 : rehashV4(v4, v4Count + newV4);
        long[] v6Table = newV6 == 0 ? v6 : rehashV6(v6, v6Count + newV6);
        boolean zero = v4Zero;
        for (IpEntry e : added) {
            if (!e.isSingleAddress()) continue;
            IpAddress a = e.base();
            if (!a.isV4()) insertV6(v6Table, a.hi(), a.lo());
            else if (a.v4() == 0) zero = true;
            else insertV4(v4Table, a.v4());
        }
        return new IpSet(v4Table, zero, v6Table, sortedCidrs(newCidrs));
    }

    /** A new set without these entries; entries not present are ignored. */
    public IpSet without(Collection<IpEntry> removed) {
        if (removed.isEmpty()) return this;
        Set<IpEntry> gone = new java.util.HashSet<>(removed);
        boolean zero = v4Zero && !gone.contains(new IpEntry(IpAddress.ofV4(0), 128));
        int[] v4Table = new int[v4.length];
        for (int x : v4) {
            if (x != 0 && !gone.contains(new IpEntry(IpAddress.ofV4(x), 128))) insertV4(v4Table, x);
        }
        long[] v6Table = new long[v6.length];
        for (int i = 0; i < v6.length; i += 2) {
            if ((v6[i] != 0 || v6[i + 1] != 0) && !gone.contains(new IpEntry(new IpAddress(v6[i], v6[i + 1]), 128))) {
                insertV6(v6Table, v6[i], v6[i + 1]);
            }
        }
        List<IpEntry> keep = new ArrayList<>();
        for (IpEntry c : cidrs) if (!gone.contains(c)) keep.add(c);
        return new IpSet(v4Table, zero, v6Table, sortedCidrs(keep));
    }

    // --- IPv4 table -------------------------------------------------------------------------------------------

    private boolean containsV4(int x) {
        if (x == 0) return v4Zero;
        int[] t = v4;
        if (t.length == 0) return false;
        long bits = filterBits(x);
        if ((v4Filter[filterWord(x)] & bits) != bits) return false;
        int mask = t.length - 1;
        for (int i = mix(x) & mask; ; i = (i + 1) & mask) {
            int y = t[i];
            if (y == x) return true;
            if (y == 0) return false;
        }
    }

    private static void insertV4(int[] t, int x) {
        int mask = t.length - 1;
        for (int i = mix(x) & mask; ; i = (i + 1) & mask) {
            if (t[i] == x) return;
            if (t[i] == 0) {
                t[i] = x;
                return;
            }
        }
    }

    private static int[] rehashV4(int[] old, int expected) {
        int[] t = new int[capacityFor(expected)];
        for (int x : old) if (x != 0) insertV4(t, x);
        return t;
    }

    private static int countV4(int[] t) {
        int n = 0;
        for (int x : t) if (x != 0) n++;
        return n;
    }

    // --- IPv6 table -------------------------------------------------------------------------------------------

    private boolean containsV6(long hi, long lo) {
        long[] t = v6;
        if (t.length == 0) return false;
        int mask = (t.length >>> 1) - 1;
        for (int i = mix(hi, lo) & mask; ; i = (i + 1) & mask) {
            long h = t[2 * i], l = t[2 * i + 1];
            if (h == hi && l == lo) return true;
            if (h == 0 && l == 0) return false;
        }
    }

    private static void insertV6(long[] t, long hi, long lo) {
        if (hi == 0 && lo == 0) return; // "::" is never a client address; (0, 0) marks empty slots
        int mask = (t.length >>> 1) - 1;
        for (int i = mix(hi, lo) & mask; ; i = (i + 1) & mask) {
            long h = t[2 * i], l = t[2 * i + 1];
            if (h == hi && l == lo) return;
            if (h == 0 && l == 0) {
                t[2 * i] = hi;
                t[2 * i + 1] = lo;
                return;
            }
        }
    }

    private static long[] rehashV6(long[] old, int expected) {
        long[] t = new long[capacityFor(expected) * 2];
        for (int i = 0; i < old.length; i += 2) {
            if (old[i] != 0 || old[i + 1] != 0) insertV6(t, old[i], old[i + 1]);
        }
        return t;
    }

    private static int countV6(long[] t) {
        int n = 0;
        for (int i = 0; i < t.length; i += 2) if (t[i] != 0 || t[i + 1] != 0) n++;
        return n;
    }

    /** A power of two at least twice the entry count: load factor at most one half keeps probe chains short. */
    private static int capacityFor(int n) {
        return Integer.highestOneBit(Math.max(4, n) * 2 - 1) << 1;
    }

    /** About 8 to 16 filter bits an address: a member always passes, a random miss passes about 3% of the time. */
    private static int filterWords(int count) {
        return Integer.highestOneBit(Math.max(1, count / 8) * 2 - 1);
    }

    /** The filter's word for {@code x}: from bits of a 64-bit mix that the table's {@link #mix(int)} does not share. */
    private int filterWord(int x) {
        return (int) (filterMix(x) >>> 40) & (v4Filter.length - 1);
    }

    /** The filter's three bits for {@code x}, in its word. */
    private static long filterBits(int x) {
        long h = filterMix(x);
        return 1L << h | 1L << (h >>> 6) | 1L << (h >>> 12);
    }

    private static long filterMix(int x) { // Murmur3's 64-bit finalizer
        long h = x & 0xFFFF_FFFFL;
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        return h ^ h >>> 33;
    }

    private static int mix(int x) {
        int h = x * 0x9E3779B9;
        return h ^ (h >>> 16);
    }

    private static int mix(long hi, long lo) {
        long h = (hi * 0x9E3779B97F4A7C15L) ^ (lo * 0xC2B2AE3D27D4EB4FL);
        return (int) (h ^ (h >>> 32));
    }

    // --- ranges -----------------------------------------------------------------------------------------------

    private static final Comparator<IpEntry> CIDR_ORDER = Comparator
            .comparing((IpEntry e) -> e.base().hi(), Long::compareUnsigned)
            .thenComparing(e -> e.base().lo(), Long::compareUnsigned)
            .thenComparingInt(IpEntry::prefixLength);

    private static IpEntry[] sortedCidrs(Collection<IpEntry> entries) {
        IpEntry[] a = entries.toArray(new IpEntry[0]);
        Arrays.sort(a, CIDR_ORDER);
        return a;
    }

    private static List<long[]> mergeRanges(List<IpEntry> sorted) {
        List<long[]> out = new ArrayList<>();
        for (IpEntry e : sorted) {
            IpAddress f = e.first(), l = e.last();
            if (!out.isEmpty()) {
                long[] prev = out.get(out.size() - 1);
                if (compare(f.hi(), f.lo(), prev[2], prev[3]) <= 0) {
                    if (compare(l.hi(), l.lo(), prev[2], prev[3]) > 0) {
                        prev[2] = l.hi();
                        prev[3] = l.lo();
                    }
                    continue;
                }
            }
            out.add(new long[] {f.hi(), f.lo(), l.hi(), l.lo()});
        }
        return out;
    }

    private boolean inRange(long hi, long lo) {
        int low = 0, high = rangeFirst.length / 2 - 1;
        while (low <= high) { // last range whose first address is <= a
            int mid = (low + high) >>> 1;
            if (compare(rangeFirst[2 * mid], rangeFirst[2 * mid + 1], hi, lo) <= 0) low = mid + 1;
            else high = mid - 1;
        }
        return high >= 0 && compare(hi, lo, rangeLast[2 * high], rangeLast[2 * high + 1]) <= 0;
    }

    private int v4Bucket(int x) {
        return (int) (Integer.toUnsignedLong(x) >>> v4BucketShift);
    }

    private static final int BLOCK_BITS = 20;

    private boolean inV4Range(int x) {
        int[] r = v4Ranges;
        if (r.length == 0) return false;
        int block = x >>> (32 - BLOCK_BITS);
        if ((v4RangeBlocks[block >>> 6] & 1L << block) == 0) return false;
        int b = v4Bucket(x);
        int low = v4Buckets[b], high = v4Buckets[b + 1] - 1;
        while (low <= high) { // last pair in the bucket whose first address is <= x
            int mid = (low + high) >>> 1;
            if (Integer.compareUnsigned(r[2 * mid], x) <= 0) low = mid + 1;
            else high = mid - 1;
        }
        // When no pair of the bucket starts at or before x, high is the last pair of the buckets before: the one
        // range that may still reach x.
        return high >= 0 && Integer.compareUnsigned(x, r[2 * high + 1]) <= 0;
    }

    private static int compare(long hi1, long lo1, long hi2, long lo2) {
        int c = Long.compareUnsigned(hi1, hi2);
        return c != 0 ? c : Long.compareUnsigned(lo1, lo2);
    }
}
