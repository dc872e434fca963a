package io.graygate.routing.ip;

/**
 * The address a request is decided on, held in place: the resolver writes it, rules read it, and the proxy keeps one
 * per connection, so that deciding a request allocates nothing. Mutable and owned by one thread (an event loop).
 */
public final class ClientAddress {

    private long hi;
    private long lo;

    public ClientAddress() {
    }

    public ClientAddress(IpAddress a) {
        set(a);
    }

    public long hi() {
        return hi;
    }

    public long lo() {
        return lo;
    }

    public void set(IpAddress a) {
        set(a.hi(), a.lo());
    }

    void set(long hi, long lo) {
        this.hi = hi;
        this.lo = lo;
    }

    /** True for an IPv4 address (held as ::ffff:a.b.c.d). */
    public boolean isV4() {
        return hi == IpAddress.V4_MAPPED_HI && (lo & 0xFFFF_FFFF_0000_0000L) == IpAddress.V4_MAPPED_LO_PREFIX;
    }

    /** The IPv4 address as an int; meaningful only when {@link #isV4()}. */
    public int v4() {
        return (int) lo;
    }

    /** True when this holds the same address as {@code a}. */
    public boolean is(IpAddress a) {
        return hi == a.hi() && lo == a.lo();
    }

    /** An immutable copy, for code off the request path. */
    public IpAddress toIpAddress() {
        return new IpAddress(hi, lo);
    }

    /** The canonical text, as {@link IpAddress#toString()} gives it. */
    @Override
    public String toString() {
        return IpAddress.format(hi, lo);
    }
}
