package io.graygate.routing;

/**
 * One whitelist entry: a single address, or a CIDR range {@code base/prefixLength} whose base has no host bits.
 * IPv4 prefix lengths are given as written (0..32) and held internally as IPv4-mapped IPv6 (96..128).
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
        int max = address.isV4() ? 32 : 128;
        if (bits < 0 || bits > max) {
            throw new IllegalArgumentException("prefix length of \"" + text + "\" must be 0.." + max);
        }
        int prefix = address.isV4() ? bits + 96 : bits;
        IpEntry entry = new IpEntry(address, prefix);
        if (!entry.first().equals(address)) {
            throw new IllegalArgumentException("\"" + text + "\" has host bits set; did you mean " + entry.first() + "/" + bits + "?");
        }
        return entry;
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
        return base + "/" + (base.isV4() ? prefixLength - 96 : prefixLength);
    }
}
