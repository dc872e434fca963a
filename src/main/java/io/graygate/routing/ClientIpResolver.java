package io.graygate.routing;

import io.netty.util.AsciiString;
import io.netty.handler.codec.http.HttpHeaders;

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
        if (!headers.contains(X_FORWARDED_FOR)) return peer;
        List<String> lines = headers.getAll(X_FORWARDED_FOR);
        IpAddress client = peer;
        for (int line = lines.size() - 1; line >= 0; line--) {
            String v = lines.get(line);
            int end = v.length();
            while (end > 0) {
                int comma = v.lastIndexOf(',', end - 1);
                IpAddress hop = IpAddress.parse(v, comma + 1, end);
                if (hop == null) return peer;
                client = hop;
                if (!trustedProxies.contains(hop)) return hop;
                end = comma < 0 ? 0 : comma;
            }
        }
        return client;
    }

    public boolean isTrusted(IpAddress peer) {
        return trustedProxies.contains(peer);
    }
}
