package io.graygate.routing.ip;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IpSetTest {

    private static final IpSet SEED_STYLE = IpSet.parse(List.of("192.168.2.165", "10.1.0.0/16", "2001:db8::/32", "::1", "172.16.0.0/12"));

    @ParameterizedTest(name = "{0} in the whitelist: {1}")
    @CsvSource({
            "192.168.2.165, true",
            "192.168.2.1, false",      // the seed's substring match sent this to gray
            "192.168.2.16, false",
            "92.168.2.165, false",
            "192.168.21.65, false",
            "10.1.0.0, true",
            "10.1.255.255, true",
            "10.2.0.0, false",
            "10.0.255.255, false",
            "172.31.255.255, true",
            "172.32.0.0, false",
            "2001:db8::1, true",
            "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff, true",
            "2001:db9::, false",
            "::1, true",
            "::2, false",
            "::ffff:192.168.2.165, true",
    })
    void matchesExactlyAddressesAndRanges(String address, boolean expected) {
        assertThat(SEED_STYLE.contains(IpAddress.parse(address))).isEqualTo(expected);
    }

    @Test
    void countsEntriesAsListedAndListsThemBack() {
        assertThat(SEED_STYLE.size()).isEqualTo(5);
        assertThat(SEED_STYLE.toStrings()).containsExactlyInAnyOrder("192.168.2.165", "10.1.0.0/16", "2001:db8::/32", "::1", "172.16.0.0/12");
    }

    @Test
    void withAndWithoutReturnNewSetsAndLeaveTheOriginal() {
        IpSet more = SEED_STYLE.with(List.of(IpEntry.parse("1.2.3.4"), IpEntry.parse("192.168.2.165")));
        IpSet less = more.without(List.of(IpEntry.parse("10.1.0.0/16"), IpEntry.parse("192.168.2.165"), IpEntry.parse("9.9.9.9")));
        assertThat(more.size()).isEqualTo(6);
        assertThat(less.size()).isEqualTo(4);
        assertThat(less.contains(IpAddress.parse("10.1.2.3"))).isFalse();
        assertThat(less.contains(IpAddress.parse("192.168.2.165"))).isFalse();
        assertThat(less.contains(IpAddress.parse("1.2.3.4"))).isTrue();
        assertThat(SEED_STYLE.contains(IpAddress.parse("1.2.3.4"))).isFalse();
        assertThat(SEED_STYLE.size()).isEqualTo(5);
    }

    @Test
    void overlappingRangesStillMatchAfterOneIsRemoved() {
        IpSet s = IpSet.parse(List.of("10.0.0.0/8", "10.1.0.0/16"));
        assertThat(s.contains(IpAddress.parse("10.1.1.1"))).isTrue();
        IpSet narrow = s.without(List.of(IpEntry.parse("10.0.0.0/8")));
        assertThat(narrow.contains(IpAddress.parse("10.1.1.1"))).isTrue();
        assertThat(narrow.contains(IpAddress.parse("10.2.1.1"))).isFalse();
    }

    @Test
    void theZeroAddressesAreOrdinaryMembers() {
        IpSet s = IpSet.parse(List.of("0.0.0.0", "0.0.0.0/32"));
        assertThat(s.contains(IpAddress.parse("0.0.0.0"))).isTrue();
        assertThat(s.contains(IpAddress.parse("0.0.0.1"))).isFalse();
        assertThat(IpSet.parse(List.of("0.0.0.0/0")).contains(IpAddress.parse("255.1.2.3"))).isTrue();
        assertThat(IpSet.parse(List.of("0.0.0.0/0")).contains(IpAddress.parse("2001:db8::1"))).isFalse();
    }

    @Test
    void namesTheEntryThatCoversAnAddress() {
        assertThat(SEED_STYLE.entryCovering(IpAddress.parse("10.1.4.4"))).hasToString("10.1.0.0/16");
        assertThat(SEED_STYLE.entryCovering(IpAddress.parse("192.168.2.165"))).hasToString("192.168.2.165");
        assertThat(SEED_STYLE.entryCovering(IpAddress.parse("2001:db8::7"))).hasToString("2001:db8::/32");
        assertThat(SEED_STYLE.entryCovering(IpAddress.parse("8.8.8.8"))).isNull();
    }

    @Test
    void holdsAMillionAddressesAndAHundredThousandRanges() {
        List<IpEntry> entries = new ArrayList<>(1_100_000);
        for (int i = 0; i < 1_000_000; i++) entries.add(new IpEntry(IpAddress.ofV4(0x0B000000 + i * 3), 128)); // 11.x.x.x, every third
        for (int i = 0; i < 100_000; i++) entries.add(new IpEntry(IpAddress.ofV4(0x64000000 + (i << 8)), 96 + 24)); // 100.x.y.0/24
        IpSet big = IpSet.of(entries);
        assertThat(big.size()).isEqualTo(1_100_000);
        assertThat(big.contains(IpAddress.ofV4(0x0B000000 + 3 * 999_999))).isTrue();
        assertThat(big.contains(IpAddress.ofV4(0x0B000000 + 3 * 999_999 + 1))).isFalse();
        assertThat(big.contains(IpAddress.ofV4(0x64000000 + (99_999 << 8) + 77))).isTrue();
        assertThat(big.contains(IpAddress.ofV4(0x64000000 + (100_000 << 8)))).isFalse();
    }

    /** What the set means, written the plain way: a hash set of single addresses and every range tested in turn. */
    private record Reference(Set<IpAddress> singles, List<IpEntry> ranges) {
        static Reference of(List<IpEntry> entries) {
            Set<IpAddress> singles = new HashSet<>();
            List<IpEntry> ranges = new ArrayList<>();
            for (IpEntry e : entries) {
                if (e.isSingleAddress()) singles.add(e.base());
                else ranges.add(e);
            }
            return new Reference(singles, ranges);
        }

        boolean contains(IpAddress a) {
            if (singles.contains(a)) return true;
            for (IpEntry r : ranges) if (r.contains(a)) return true;
            return false;
        }
    }

    private static IpAddress randomV6(Random random) {
        return new IpAddress(random.nextBoolean() ? 0x2001_0db8_0000_0000L | (random.nextLong() & 0xFFFF) : random.nextLong(), random.nextLong());
    }

    private static IpEntry randomRange(Random random) {
        if (random.nextInt(5) == 0) {
            int bits = 16 + random.nextInt(113);
            long hi = randomV6(random).hi() & (bits >= 64 ? -1L : -1L << (64 - bits));
            long lo = bits <= 64 ? 0 : random.nextLong() & (bits == 128 ? -1L : -1L << (128 - bits));
            return new IpEntry(new IpAddress(hi, lo), bits);
        }
        int bits = random.nextInt(10) == 0 ? 8 + random.nextInt(8) : 16 + random.nextInt(17); // some /8 to /15 too
        int base = random.nextInt() & (-1 << (32 - bits));
        return new IpEntry(IpAddress.ofV4(base), 96 + bits);
    }

    /** A random address inside a range: its base with random host bits. */
    private static IpAddress inside(IpEntry r, Random random) {
        IpAddress first = r.first(), last = r.last();
        long hostHi = first.hi() ^ last.hi(), hostLo = first.lo() ^ last.lo();
        return new IpAddress(first.hi() | (random.nextLong() & hostHi), first.lo() | (random.nextLong() & hostLo));
    }

    @ParameterizedTest(name = "{0} singles and {1} ranges")
    @CsvSource({"1, 0", "0, 1", "5, 3", "300, 40", "20000, 600", "200000, 60"})
    void answersAsAPlainSetAndRangeListOnRandomMembersNeighboursAndMisses(int singles, int ranges) {
        Random random = new Random(singles * 31L + ranges);
        List<IpEntry> entries = new ArrayList<>();
        for (int i = 0; i < singles; i++) {
            entries.add(new IpEntry(i % 10 == 9 ? randomV6(random) : IpAddress.ofV4(random.nextInt()), 128));
        }
        for (int i = 0; i < ranges; i++) entries.add(randomRange(random));
        IpSet set = IpSet.of(entries);
        Reference reference = Reference.of(entries);
        List<IpAddress> probes = new ArrayList<>();
        for (IpEntry e : entries) {
            IpAddress a = e.isSingleAddress() ? e.base() : inside(e, random);
            probes.add(a);
            probes.add(new IpAddress(a.hi(), a.lo() + 1));
            probes.add(new IpAddress(a.hi(), a.lo() - 1));
            probes.add(e.first());
            probes.add(e.last());
        }
        for (int i = 0; i < 100_000; i++) probes.add(i % 4 == 3 ? randomV6(random) : IpAddress.ofV4(random.nextInt()));
        for (int v4 : new int[] {0, 1, -1, 0x7FFF_FFFF, 0x8000_0000}) probes.add(IpAddress.ofV4(v4));
        int members = 0;
        for (IpAddress a : probes) {
            boolean expected = reference.contains(a);
            assertThat(set.contains(a)).as("%s", a).isEqualTo(expected);
            assertThat(set.contains(a.hi(), a.lo())).as("%s", a).isEqualTo(expected);
            if (expected) members++;
        }
        assertThat(members).as("members among the probes").isGreaterThanOrEqualTo(singles + ranges);
        assertThat(probes.size() - members).as("misses among the probes").isGreaterThan(50_000);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"0.0.0.0/0", "255.255.255.0/24", "255.255.240.0/20", "0.0.0.0/20", "11.22.32.0/19", "11.22.47.255/32"})
    void anIpv4RangeCoversItsFirstAndLastAddressesAndNothingBeside(String range) {
        IpEntry r = IpEntry.parse(range);
        IpSet set = IpSet.of(List.of(r, IpEntry.parse("2001:db8::/32")));
        int first = r.first().v4(), last = r.last().v4();
        assertThat(set.contains(r.first())).isTrue();
        assertThat(set.contains(r.last())).isTrue();
        assertThat(set.contains(IpAddress.ofV4(first + (last - first) / 2))).isTrue();
        if (first != 0) assertThat(set.contains(IpAddress.ofV4(first - 1))).isFalse();
        if (last != -1) assertThat(set.contains(IpAddress.ofV4(last + 1))).isFalse();
    }

    @ParameterizedTest(name = "\"{0}\" refused: {1}")
    @CsvSource(delimiter = '|', value = {
            "192.168.2.              | not an IP address or CIDR",
            "10.1.0.0/33             | prefix length",
            "10.1.0.1/16             | host bits set",
            "2001:db8::/129          | prefix length",
            "10.0.0.0/x              | not an IP address or CIDR",
            "gray                    | not an IP address or CIDR",
            "::ffff:10.0.0.0/8       | an IPv4-mapped address takes an IPv6 prefix length of 96..128; did you mean 10.0.0.0/8 (::ffff:10.0.0.0/104)?",
            "::ffff:0.0.0.0/0        | an IPv4-mapped address takes an IPv6 prefix length of 96..128",
            "::ffff:10.0.0.1/104     | host bits set; did you mean 10.0.0.0/8?",
    })
    void refusesBadEntriesWithAMessageNamingThem(String text, String message) {
        assertThatThrownBy(() -> IpEntry.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message).hasMessageContaining(text.strip().isEmpty() ? "" : text.strip().split("/")[0]);
    }

    @ParameterizedTest(name = "IPv6 range {0} never matches an IPv4 client")
    @CsvSource({"::/0, ::2", "::/64, ::fffe:0:2", "::/80, ::fffe:0:2", "::fffe:0:0/95, ::fffe:0:2", "::/96, ::1"})
    void anIpv6RangeNeverMatchesAnIpv4Client(String range, String v6Member) {
        IpSet s = IpSet.parse(List.of(range));
        for (String v4 : List.of("1.2.3.4", "10.9.9.9", "0.0.0.0", "255.255.255.255", "::ffff:1.2.3.4")) {
            assertThat(s.contains(IpAddress.parse(v4))).as(range + " holds " + v4).isFalse();
            assertThat(s.entryCovering(IpAddress.parse(v4))).as(range + " covers " + v4).isNull();
        }
        assertThat(s.contains(IpAddress.parse(v6Member))).as(range + " holds " + v6Member).isTrue();
    }

    @Test
    void anIpv6RangeBesideIpv4RangesKeepsTheFamiliesApart() {
        IpSet s = IpSet.parse(List.of("::/0", "10.0.0.0/8", "192.168.2.165"));
        assertThat(s.contains(IpAddress.parse("10.1.2.3"))).isTrue();
        assertThat(s.contains(IpAddress.parse("192.168.2.165"))).isTrue();
        assertThat(s.contains(IpAddress.parse("11.1.2.3"))).isFalse();
        assertThat(s.contains(IpAddress.parse("2001:db8::1"))).isTrue();
        assertThat(s.entryCovering(IpAddress.parse("10.1.2.3"))).hasToString("10.0.0.0/8");
    }

    @ParameterizedTest(name = "{0} is the IPv4 range {1}")
    @CsvSource({
            "::ffff:10.0.0.0/104, 10.0.0.0/8",
            "::ffff:0:0/96,       0.0.0.0/0",
            "::ffff:1.2.3.4/128,  1.2.3.4",
            "::ffff:1.2.3.4,      1.2.3.4",
    })
    void anIpv4MappedRangeWithAnIpv6PrefixLengthIsTheIpv4Range(String written, String meant) {
        IpEntry e = IpEntry.parse(written);
        assertThat(e).isEqualTo(IpEntry.parse(meant));
        assertThat(e).hasToString(meant);
        assertThat(IpSet.parse(List.of(written)).contains(IpAddress.parse("2001:db8::1"))).isFalse();
    }

    @Test
    void anIpv4MappedPeerFromADualStackListenerIsTheIpv4Address() throws Exception {
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 1, 2, 3};
        IpAddress peer = IpAddress.of(java.net.Inet6Address.getByAddress(null, mapped, -1));
        assertThat(peer).isEqualTo(IpAddress.parse("10.1.2.3"));
        assertThat(peer.isV4()).isTrue();
        assertThat(IpSet.parse(List.of("10.1.0.0/16")).contains(peer)).isTrue();
        assertThat(IpSet.parse(List.of("::/0")).contains(peer)).isFalse();
    }
}
