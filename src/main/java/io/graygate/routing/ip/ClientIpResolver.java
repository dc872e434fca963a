package io.graygate.routing.ip;


import io.netty.util.AsciiString;
import io.netty.handler.codec.http.HttpHeaders;

import java.util.Iterator;
import java.util.List;

/**
 * Finds the client's address: the TCP peer, unless the peer is a trusted proxy, in which case X-Real-IP, when
 * present, and otherwise X-Forwarded-For is believed. X-Forwarded-For is walked right to left past trusted proxies
 * (nginx's real_ip_recursive). A malformed value leaves the peer address, as nginx's realip module does: a present
 * but malformed X-Real-IP never falls through to X-Forwarded-For. Never an error.
 *
 * <p>IPv4 and IPv6 are separate families ({@link IpEntry}): a trusted IPv6 range such as {@code ::/0} never trusts an
 * IPv4 peer, and an IPv4-mapped peer from a dual-stack listener ({@code ::ffff:1.2.3.4}) is the IPv4 address.
 */
public final class ClientIpResolver {

    public static final AsciiString X_REAL_IP = AsciiString.cached("x-real-ip");
    public static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    public static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");

    private final IpSet trustedProxies;

    public ClientIpResolver(IpSet trustedProxies) {
        this.trustedProxies = trustedProxies;
    }

    /** Whether {@code peer} is a trusted proxy, whose forwarding headers are believed. */
    public boolean trusts(IpAddress peer) {
        return !trustedProxies.isEmpty() && trustedProxies.contains(peer);
    }

    /** The client of a request from {@code peer}: an immutable copy of what {@link #resolve(IpAddress, HttpHeaders, ClientAddress)} writes. */
    public IpAddress resolve(IpAddress peer, HttpHeaders headers) {
        ClientAddress out = new ClientAddress();
        resolve(peer, headers, out);
        return out.toIpAddress();
    }

    /** Writes the client of a request from {@code peer} into {@code out}; allocates nothing for one header line. */
    public void resolve(IpAddress peer, HttpHeaders headers, ClientAddress out) {
        out.set(peer);
        if (trustedProxies.isEmpty() || !trustedProxies.contains(peer)) return;
        String realIp = headers.get(X_REAL_IP);
        if (realIp != null) {
            IpAddress.parse(realIp, 0, realIp.length(), out); // leaves the peer when malformed
            return;
        }
        // One X-Forwarded-For line is the common case: it is walked without the list getAll would make.
        Iterator<? extends CharSequence> values = headers.valueCharSequenceIterator(X_FORWARDED_FOR);
        if (!values.hasNext()) return;
        String only = values.next().toString(); // the decoder's values are Strings: no copy
        if (!values.hasNext()) {
            if (!untrustedHop(only, out)) leftmostHop(List.of(only), out);
            return;
        }
        List<String> lines = headers.getAll(X_FORWARDED_FOR);
        for (int line = lines.size() - 1; line >= 0; line--) {
            if (untrustedHop(lines.get(line), out)) return;
        }
        leftmostHop(lines, out);
    }

    /**
     * Walks one X-Forwarded-For line right to left to the first hop that is not a trusted proxy, writes it into
     * {@code out} and returns true; returns true too, leaving {@code out} alone (the peer), when a hop is not an
     * address; returns false, {@code out} alone, when every hop is a trusted proxy.
     */
    private boolean untrustedHop(String line, ClientAddress out) {
        int end = line.length();
        long peerHi = out.hi(), peerLo = out.lo();
        while (end > 0) {
            int comma = line.lastIndexOf(',', end - 1);
            if (!IpAddress.parse(line, comma + 1, end, out)) {
                out.set(peerHi, peerLo);
                return true;
            }
            if (!trustedProxies.contains(out.hi(), out.lo())) return true;
            end = comma < 0 ? 0 : comma;
        }
        out.set(peerHi, peerLo);
        return false;
    }

    /**
     * When every hop is a trusted proxy, the farthest one is the client: the leftmost hop of the first non-empty line
     * (a leading comma, as in ", 10.0.0.1", leaves no hop before it).
     */
    private static void leftmostHop(List<String> lines, ClientAddress out) {
        for (String line : lines) {
            if (line.isEmpty()) continue;
            int start = line.charAt(0) == ',' ? 1 : 0;
            int comma = line.indexOf(',', start);
            IpAddress.parse(line, start, comma < 0 ? line.length() : comma, out);
            return;
        }
    }

    public boolean isTrusted(IpAddress peer) {
        return trustedProxies.contains(peer);
    }
}
