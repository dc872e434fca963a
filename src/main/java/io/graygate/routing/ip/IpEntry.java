package io.graygate.routing.ip;

/**
 * One whitelist entry: a single address, or a CIDR range {@code base/prefixLength} whose base has no host bits.
 * IPv4 prefix lengths are given as written (0..32) and held internally as IPv4-mapped IPv6 (96..128).
 *
 * <p>IPv4 and IPv6 are separate families, as in nginx: an IPv6 range never covers an IPv4 address, even when its
 * bits span the IPv4-mapped block {@code ::ffff:0:0/96} ({@code ::/0} is every IPv6 address, no IPv4 one). An
 * IPv4-mapped literal written with an IPv6 prefix length, {@code ::ffff:10.0.0.0/104}, is the IPv4 range
 * 10.0.0.0/8.
 */
public record IpEntry(IpAddress base, int prefixLength) {

    public IpEntry {
        if (prefixLength < 0 || prefixLength > 128) throw new IllegalArgumentException("prefix length out of range: " + prefixLength);
    }

    /** Parses "192.168.2.165", "10.1.0.0/16", "2001:db8::/32"; throws IllegalArgumentException naming the text. */
    public static IpEntry parse(String text) {
        if (text == null) throw new IllegalArgumentException("not an IP address or CIDR: null");
        String s = text.strip();
        int slash = s.indexOf('/');
        IpAddress address = IpAddress.parse(s, 0, slash < 0 ? s.length() : slash);
        if (address == null) throw new IllegalArgumentException("not an IP address or CIDR: \"" + text + "\"");
        if (slash < 0) return new IpEntry(address, 128);
        int bits;
        try {
            bits = Integer.parseInt(s.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an IP address or CIDR: \"" + text + "\"");
        }
        // The prefix length counts the bits of the notation it follows: "::ffff:10.0.0.0/8" is not 10.0.0.0/8.
        boolean v6Notation = s.lastIndexOf(':', slash) >= 0;
        int max = address.isV4() && !v6Notation ? 32 : 128;
        if (bits < 0 || bits > max) {
            throw new IllegalArgumentException("prefix length of \"" + text + "\" must be 0.." + max);
        }
        if (address.isV4() && v6Notation && bits < 96) {
            String meant = bits <= 32 ? "; did you mean " + address + "/" + bits + " (::ffff:" + address + "/" + (bits + 96) + ")?" : "";
            throw new IllegalArgumentException("prefix length of \"" + text + "\": an IPv4-mapped address takes an IPv6 prefix"
                    + " length of 96..128" + meant);
        }
        int prefix = address.isV4() && !v6Notation ? bits + 96 : bits;
        IpEntry entry = new IpEntry(address, prefix);
        if (!entry.first().equals(address)) {
            throw new IllegalArgumentException("\"" + text + "\" has host bits set; did you mean " + new IpEntry(entry.first(), prefix) + "?");
        }
        return entry;
    }

    /** True for an IPv4 address or range (held in the IPv4-mapped block with a prefix of 96 or more). */
    public boolean isV4() {
        return prefixLength >= 96 && base.isV4();
    }

    public boolean isSingleAddress() {
        return prefixLength == 128;
    }

    public IpAddress first() {
        return new IpAddress(base.hi() & maskHi(), base.lo() & maskLo());
    }

    public IpAddress last() {
        return new IpAddress(base.hi() | ~maskHi(), base.lo() | ~maskLo());
    }

    public boolean contains(IpAddress a) {
        if (isV4() != a.isV4()) return false;
        return (a.hi() & maskHi()) == (base.hi() & maskHi()) && (a.lo() & maskLo()) == (base.lo() & maskLo());
    }

    private long maskHi() {
        return prefixLength >= 64 ? -1L : prefixLength == 0 ? 0L : -1L << (64 - prefixLength);
    }

    private long maskLo() {
        return prefixLength >= 128 ? -1L : prefixLength <= 64 ? 0L : -1L << (128 - prefixLength);
    }

    @Override
    public String toString() {
        if (isSingleAddress()) return base.toString();
        return base + "/" + (isV4() ? prefixLength - 96 : prefixLength);
    }
}
