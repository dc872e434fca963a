package io.graygate.bench;
import io.graygate.routing.ip.IpAddress;
import io.graygate.routing.ip.IpEntry;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * A reproducible whitelist for benchmarks: distinct single addresses scattered over the public IPv4 space (and a share
 * of IPv6 under 2001:db8::/32), plus CIDR ranges of /20 to /28 (IPv6 /48 to /64), all from one seed.
 * 10.0.0.0/8 is left out of it, so that 10.9.9.9 (the anchors' gray client) can be added on its own.
 */
public final class SyntheticWhitelist {

    private final List<IpEntry> addresses;
    private final List<IpEntry> cidrs;

    private SyntheticWhitelist(List<IpEntry> addresses, List<IpEntry> cidrs) {
        this.addresses = addresses;
        this.cidrs = cidrs;
    }

    /**
     * @param addressCount single addresses; one in fifty is IPv6
     * @param cidrCount    CIDR ranges; one in ten is IPv6
     */
    public static SyntheticWhitelist generate(int addressCount, int cidrCount, long seed) {
        Random random = new Random(seed);
        int v6Addresses = addressCount / 50, v6Cidrs = cidrCount / 10;
        List<IpEntry> addresses = new ArrayList<>(addressCount);
        Set<Integer> seenV4 = new HashSet<>(addressCount * 2);
        while (addresses.size() < addressCount - v6Addresses) {
            int v4 = publicV4(random);
            if (seenV4.add(v4)) addresses.add(new IpEntry(IpAddress.ofV4(v4), 128));
        }
        Set<IpAddress> seenV6 = new HashSet<>(v6Addresses * 2);
        while (seenV6.size() < v6Addresses) {
            IpAddress a = new IpAddress(0x2001_0db8_0000_0000L | (random.nextLong() & 0xFFFF_FFFFL), random.nextLong());
            if (seenV6.add(a)) addresses.add(new IpEntry(a, 128));
        }
        Set<IpEntry> cidrSet = new LinkedHashSet<>(cidrCount * 2); // IPv4 first, in generated order
        while (cidrSet.size() < cidrCount - v6Cidrs) {
            int bits = 20 + random.nextInt(9);
            int base = publicV4(random) & (-1 << (32 - bits));
            cidrSet.add(new IpEntry(IpAddress.ofV4(base), 96 + bits));
        }
        while (cidrSet.size() < cidrCount) {
            int bits = 48 + random.nextInt(17);
            long hi = (0x2001_0db8_0000_0000L | (random.nextLong() & 0xFFFF_FFFFL)) & (-1L << (64 - bits));
            cidrSet.add(new IpEntry(new IpAddress(hi, 0), bits));
        }
        return new SyntheticWhitelist(addresses, new ArrayList<>(cidrSet));
    }

    /** A random IPv4 address in 11.0.0.0 to 223.255.255.255 less 127/8: never 10/8, loopback or multicast. */
    private static int publicV4(Random random) {
        while (true) {
            int v4 = random.nextInt();
            int first = v4 >>> 24;
            if (first >= 11 && first <= 223 && first != 127) return v4;
        }
    }

    /** The IPv4 addresses first (49 in 50), then the IPv6 ones. */
    public List<IpEntry> addresses() {
        return addresses;
    }

    /** The IPv4 ranges first (nine in ten), then the IPv6 ones. */
    public List<IpEntry> cidrs() {
        return cidrs;
    }

    public List<IpEntry> all() {
        List<IpEntry> all = new ArrayList<>(addresses.size() + cidrs.size());
        all.addAll(addresses);
        all.addAll(cidrs);
        return all;
    }
}
