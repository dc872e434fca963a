package io.graygate.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.util.Iterator;

/**
 * The request target and Host of one request, validated (RFC 9112 §3.2, RFC 9110 §7.2): the host routes are
 * matched on, the target in origin form as the upstream gets it, and its path. An absolute-form target's authority
 * replaces Host; a target or Host a second reader could take for another host is refused with 400.
 *
 * @param host   the validated {@code uri-host[:port]}, or null for an HTTP/1.0 request without one
 * @param origin the target in origin form ({@code /path?query}), or the target as sent when it is not a path ({@code *})
 * @param path   the origin's path, without the query, not yet normalized
 */
record RequestTarget(String host, String origin, String path) {

    /**
     * @param hostRequired HTTP/1.1 (and HTTP/2, whose :authority arrives as Host): a request without Host is refused
     * @throws ProxyException 400 naming what is wrong
     */
    static RequestTarget parse(String target, HttpHeaders headers, boolean hostRequired) {
        String host = null;
        Iterator<String> hosts = headers.valueStringIterator(HttpHeaderNames.HOST);
        if (hosts.hasNext()) {
            host = hosts.next();
            if (hosts.hasNext()) throw bad("more than one Host header");
            if (!isAuthority(host, 0, host.length())) throw bad("invalid Host \"" + printable(host) + "\"");
        } else if (hostRequired) {
            throw bad("no Host header");
        }
        if (target.isEmpty()) throw bad("an empty request target");
        if (target.indexOf('#') >= 0) throw bad("a fragment in the request target");
        if (target.charAt(0) == '/') return new RequestTarget(host, target, withoutQuery(target));
        int authorityStart = schemeEnd(target);
        if (authorityStart < 0) {
            if (target.equals("*")) return new RequestTarget(host, target, target); // OPTIONS *: no route starts without '/'
            throw bad("invalid request target \"" + printable(target) + "\"");
        }
        int authorityEnd = authorityStart;
        while (authorityEnd < target.length() && target.charAt(authorityEnd) != '/' && target.charAt(authorityEnd) != '?') authorityEnd++;
        if (authorityEnd == authorityStart) throw bad("an empty authority in the request target");
        if (target.lastIndexOf('@', authorityEnd - 1) >= authorityStart) throw bad("userinfo in the request target");
        if (!isAuthority(target, authorityStart, authorityEnd)) throw bad("invalid authority in \"" + printable(target) + "\"");
        String authority = target.substring(authorityStart, authorityEnd);
        String origin = authorityEnd == target.length() ? "/"
                : target.charAt(authorityEnd) == '?' ? "/" + target.substring(authorityEnd) : target.substring(authorityEnd);
        headers.set(HttpHeaderNames.HOST, authority); // RFC 9112 §3.2.2: the target's authority replaces Host
        return new RequestTarget(authority, origin, withoutQuery(origin));
    }

    /** Where the authority of an {@code http://} or {@code https://} target starts, or -1. */
    private static int schemeEnd(String target) {
        if (target.regionMatches(true, 0, "http://", 0, 7)) return 7;
        if (target.regionMatches(true, 0, "https://", 0, 8)) return 8;
        return -1;
    }

    /** {@code uri-host [ ":" port ]}: an IP literal in brackets or a reg-name, and a port of at most five digits. */
    static boolean isAuthority(String s, int from, int to) {
        if (from >= to) return false;
        int hostEnd;
        if (s.charAt(from) == '[') {
            int close = s.indexOf(']', from);
            if (close < 0 || close >= to || close == from + 1) return false;
            for (int i = from + 1; i < close; i++) {
                char c = s.charAt(i);
                if (!(Character.digit(c, 16) >= 0 || c == ':' || c == '.')) return false;
            }
            hostEnd = close + 1;
            if (hostEnd < to && s.charAt(hostEnd) != ':') return false;
        } else {
            hostEnd = from;
            while (hostEnd < to && s.charAt(hostEnd) != ':') {
                char c = s.charAt(hostEnd);
                if (c == '%') {
                    if (hostEnd + 2 >= to || Character.digit(s.charAt(hostEnd + 1), 16) < 0 || Character.digit(s.charAt(hostEnd + 2), 16) < 0) return false;
                    hostEnd += 3;
                    continue;
                }
                if (!isRegNameChar(c)) return false;
                hostEnd++;
            }
            if (hostEnd == from) return false;
        }
        if (hostEnd == to) return true;
        int digits = to - hostEnd - 1;
        if (digits > 5) return false;
        int port = 0;
        for (int i = hostEnd + 1; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') return false;
            port = port * 10 + (c - '0');
        }
        return port <= 65535;
    }

    /** unreserved and sub-delims of RFC 3986. */
    private static boolean isRegNameChar(char c) {
        if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') return true;
        return "-._~!$&'()*+,;=".indexOf(c) >= 0;
    }

    private static String withoutQuery(String uri) {
        int q = uri.indexOf('?');
        return q < 0 ? uri : uri.substring(0, q);
    }

    /** The value for a message, control characters shown as '?', at most 100 characters. */
    private static String printable(String s) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), 100));
        for (int i = 0; i < s.length() && i < 100; i++) {
            char c = s.charAt(i);
            sb.append(c < 0x20 || c == 0x7f || c == '"' ? '?' : c);
        }
        return sb.toString();
    }

    private static ProxyException bad(String why) {
        return new ProxyException(HttpResponseStatus.BAD_REQUEST, why);
    }
}
