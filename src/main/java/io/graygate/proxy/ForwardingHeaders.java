package io.graygate.proxy;
import io.graygate.routing.ip.ClientIpResolver;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Edits headers in place as messages pass through: hop-by-hop headers out in both directions (RFC 9110 §7.6.1),
 * the forwarding headers in on the way to the upstream.
 *
 * <p>Framing is never a client's or an upstream's to pass on: a Connection header cannot remove Content-Length,
 * Transfer-Encoding or Host (RFC 9110 §7.6.1 lets a sender name only hop-by-hop fields there; taking framing away
 * would let the body be read as another request), and the upstream request's framing is set afresh by
 * {@link MessageFraming#apply} from the body the gateway forwards.
 */
final class ForwardingHeaders {

    static final AsciiString X_GRAYGATE_VERSION = AsciiString.cached("x-graygate-version");
    private static final AsciiString KEEP_ALIVE = AsciiString.cached("keep-alive");
    private static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");
    private static final AsciiString CLOSE = AsciiString.cached("close");
    static final AsciiString HTTP = AsciiString.cached("http");
    static final AsciiString HTTPS = AsciiString.cached("https");
    private static final String PROXY_PREFIX = "proxy-";

    private ForwardingHeaders() {
    }

    /**
     * Prepares a client's request for the upstream.
     *
     * @param upgrade       keep Upgrade and send {@code Connection: upgrade} (a WebSocket handshake)
     * @param peer          the TCP peer, appended to X-Forwarded-For
     * @param clientIp      the resolved client address, sent as X-Real-IP
     * @param scheme        the listener's scheme, sent as X-Forwarded-Proto
     * @param peerTrusted   the peer is a trusted proxy: an X-Forwarded-Proto it sent is kept
     * @param upstreamHost  the Host to send instead of the client's, or null to pass the client's through
     * @param fallbackHost  the Host to send when the client sent none (HTTP/1.0)
     * @param framing       the body's framing from {@link MessageFraming#request}
     */
    static void prepareRequest(HttpRequest request, boolean upgrade, String peer, String clientIp, AsciiString scheme,
                               boolean peerTrusted, String upstreamHost, String fallbackHost, long framing) {
        HttpHeaders h = request.headers();
        stripHopByHop(h, upgrade);
        MessageFraming.apply(h, framing);
        String prior = joined(h, ClientIpResolver.X_FORWARDED_FOR);
        h.set(ClientIpResolver.X_FORWARDED_FOR, prior == null ? peer : prior + ", " + peer);
        h.set(ClientIpResolver.X_REAL_IP, clientIp);
        if (!peerTrusted || !h.contains(ClientIpResolver.X_FORWARDED_PROTO)) h.set(ClientIpResolver.X_FORWARDED_PROTO, scheme);
        if (upstreamHost != null) {
            h.set(HttpHeaderNames.HOST, upstreamHost);
        } else if (!h.contains(HttpHeaderNames.HOST)) {
            h.set(HttpHeaderNames.HOST, fallbackHost);
        }
        // Upstream connections are HTTP/1.1 so they can be kept alive, whatever the client spoke.
        request.setProtocolVersion(HttpVersion.HTTP_1_1);
    }

    /** Strips an upstream response's hop-by-hop headers; the caller sets the framing and Connection for the client. */
    static void prepareResponse(HttpMessage response, boolean upgrade) {
        stripHopByHop(response.headers(), upgrade);
    }

    /** True for a request that asks to switch protocols: {@code Connection: upgrade} and an Upgrade header. */
    static boolean isUpgradeRequest(HttpRequest request) {
        HttpHeaders h = request.headers();
        return h.contains(HttpHeaderNames.UPGRADE) && h.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true);
    }

    static void stripHopByHop(HttpHeaders h, boolean upgrade) {
        String connection = joined(h, HttpHeaderNames.CONNECTION); // several lines are one comma-separated list
        if (connection != null) {
            removeNamedIn(h, connection, upgrade);
            h.remove(HttpHeaderNames.CONNECTION);
        }
        h.remove(KEEP_ALIVE);
        h.remove(HttpHeaderNames.TE);
        h.remove(HttpHeaderNames.TRAILER);
        h.remove(HttpHeaderNames.TRANSFER_ENCODING);
        h.remove(PROXY_CONNECTION);
        removeProxyHeaders(h);
        if (upgrade) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        } else {
            h.remove(HttpHeaderNames.UPGRADE);
        }
    }

    /** Removes each header that a Connection value names ("close, X-Foo" removes X-Foo). */
    private static void removeNamedIn(HttpHeaders h, String connectionValue, boolean upgrade) {
        int start = 0;
        int length = connectionValue.length();
        while (start < length) {
            int comma = connectionValue.indexOf(',', start);
            int end = comma < 0 ? length : comma;
            int from = start;
            int to = end;
            while (from < to && connectionValue.charAt(from) == ' ') from++;
            while (to > from && connectionValue.charAt(to - 1) == ' ') to--;
            if (isToken(connectionValue, from, to, "keep-alive")) {
                h.remove(KEEP_ALIVE); // the usual values are removed by their constant names, with no substring
            } else if (isToken(connectionValue, from, to, "close")) {
                h.remove(CLOSE);
            } else if (to > from) {
                String name = connectionValue.substring(from, to);
                if (!(upgrade && name.equalsIgnoreCase("upgrade")) && !isEndToEnd(name)) h.remove(name);
            }
            start = end + 1;
        }
    }

    /** Fields a Connection header may not remove: the framing, which the gateway sets itself, and Host. */
    private static boolean isEndToEnd(String name) {
        return name.equalsIgnoreCase("content-length") || name.equalsIgnoreCase("transfer-encoding") || name.equalsIgnoreCase("host");
    }

    private static boolean isToken(String s, int from, int to, String token) {
        return to - from == token.length() && s.regionMatches(true, from, token, 0, token.length());
    }

    /** Proxy-Authorization, Proxy-Authenticate and the like belong to one hop; most messages have none, so no list is made. */
    private static void removeProxyHeaders(HttpHeaders h) {
        List<CharSequence> doomed = null;
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = h.iteratorCharSequence(); it.hasNext(); ) {
            CharSequence name = it.next().getKey();
            if (name.length() > PROXY_PREFIX.length() && AsciiString.regionMatches(name, true, 0, PROXY_PREFIX, 0, PROXY_PREFIX.length())) {
                if (doomed == null) doomed = new ArrayList<>(2);
                doomed.add(name);
            }
        }
        if (doomed != null) for (CharSequence name : doomed) h.remove(name);
    }

    /**
     * All values of a header joined with ", " as one line (several X-Forwarded-For or Connection lines are one list),
     * or null. One line, the common case, is returned as it is, with no list made.
     */
    private static String joined(HttpHeaders h, CharSequence name) {
        String first = h.get(name);
        if (first == null) return null;
        Iterator<? extends CharSequence> values = h.valueCharSequenceIterator(name);
        values.next();
        return values.hasNext() ? String.join(", ", h.getAll(name)) : first;
    }
}
