package io.graygate.routing;

import io.netty.util.AsciiString;
import io.netty.handler.codec.http.HttpHeaders;

import java.util.Iterator;
import java.util.List;

/**
 * Finds the client's address: the TCP peer, unless the peer is a trusted proxy, in which case X-Real-IP and then
 * X-Forwarded-For are believed. X-Forwarded-For is walked right to left past trusted proxies (nginx's
 * real_ip_recursive). A malformed value is ignored, never an error.
 */
public final class ClientIpResolver {

    public static final AsciiString X_REAL_IP = AsciiString.cached("x-real-ip");
    public static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    public static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");

    private final IpSet trustedProxies;

    public ClientIpResolver(IpSet trustedProxies) {
        this.trustedProxies = trustedProxies;
    }

    public IpAddress resolve(IpAddress peer, HttpHeaders headers) {
        if (trustedProxies.isEmpty() || !trustedProxies.contains(peer)) return peer;
        String realIp = headers.get(X_REAL_IP);
        if (realIp != null) {
            IpAddress a = IpAddress.parse(realIp);
            if (a != null) return a;
        }
        // One X-Forwarded-For line is the common case: it is walked without the list getAll would make.
        Iterator<? extends CharSequence> values = headers.valueCharSequenceIterator(X_FORWARDED_FOR);
        if (!values.hasNext()) return peer;
        String only = values.next().toString();
        if (!values.hasNext()) {
            IpAddress found = untrustedHop(only, peer);
            return found != null ? found : leftmostHop(List.of(only), peer);
        }
        List<String> lines = headers.getAll(X_FORWARDED_FOR);
        for (int line = lines.size() - 1; line >= 0; line--) {
            IpAddress found = untrustedHop(lines.get(line), peer);
            if (found != null) return found;
        }
        return leftmostHop(lines, peer);
    }

    /**
     * Walks one X-Forwarded-For line right to left: the first hop that is not a trusted proxy, the peer when a hop
     * is malformed, or null when every hop is trusted. IPv4 hops are checked without making an IpAddress.
     */
    private IpAddress untrustedHop(String line, IpAddress peer) {
        int end = line.length();
        while (end > 0) {
            int comma = line.lastIndexOf(',', end - 1);
            long v4 = IpAddress.parseV4Literal(line, comma + 1, end);
            if (v4 >= 0) {
                if (!trustedProxies.contains(IpAddress.V4_MAPPED_HI, IpAddress.V4_MAPPED_LO_PREFIX | v4)) {
                    return IpAddress.ofV4((int) v4);
                }
            } else {
                IpAddress hop = IpAddress.parse(line, comma + 1, end);
                if (hop == null) return peer;
                if (!trustedProxies.contains(hop)) return hop;
            }
            end = comma < 0 ? 0 : comma;
        }
        return null;
    }

    /**
     * When every hop is a trusted proxy, the farthest one is the client: the leftmost hop of the first non-empty line
     * (a leading comma, as in ", 10.0.0.1", leaves no hop before it).
     */
    private static IpAddress leftmostHop(List<String> lines, IpAddress peer) {
        for (String line : lines) {
            if (line.isEmpty()) continue;
            int start = line.charAt(0) == ',' ? 1 : 0;
            int comma = line.indexOf(',', start);
            return IpAddress.parse(line, start, comma < 0 ? line.length() : comma);
        }
        return peer;
    }

    public boolean isTrusted(IpAddress peer) {
        return trustedProxies.contains(peer);
    }
}
