package io.graygate.proxy;

import io.graygate.routing.PathPrefix;

import java.nio.charset.StandardCharsets;

/**
 * The request target the upstream gets: the route's prefix taken off ({@code stripPrefix: true}), then a prefix put
 * before it (the version's {@code pathPrefix}, else the group's), the query kept as sent.
 * It works on the raw target, so a plain path keeps the client's bytes; a path that normalizing changed (matched
 * only once normalized, e.g. {@code //app/x}, {@code /app/%2e%2e/app/x} or {@code /app/a%20b}) is rewritten from its
 * normalized form, percent-encoded again, so that what the upstream gets is what the route matched.
 */
final class PathRewrite {

    private PathRewrite() {
    }

    /**
     * @param uri         the origin-form target as received ({@code /app/x?q=1})
     * @param normalized  its normalized path, as the route matched it
     * @param strip       the route's prefix to take off, or null
     * @param add         the prefix to put before the path
     * @return the target to send, or {@code uri} itself when nothing changes (no allocation)
     */
    static String apply(String uri, String normalized, String strip, PathPrefix add) {
        if (strip == null && add.isNone()) return uri;
        int q = uri.indexOf('?');
        String query = q < 0 ? "" : uri.substring(q);
        String path = q < 0 ? uri : uri.substring(0, q);
        if (strip != null && !strip.equals("/")) {
            if (path.equals(normalized)) {
                path = path.substring(strip.length());
            } else {
                path = encode(normalized.substring(Math.min(strip.length(), normalized.length())));
            }
            if (path.isEmpty() || path.charAt(0) != '/') path = "/" + path;
        }
        if (!add.isNone()) {
            path = add.endsWithSlash() && path.startsWith("/") ? add.text() + path.substring(1) : add.text() + path;
        }
        return path + query;
    }

    /** Percent-encodes what a decoded path may hold but a request target may not. */
    static String encode(String decoded) {
        StringBuilder out = null;
        byte[] bytes = decoded.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[i] & 0xFF;
            boolean plain = b > 0x20 && b < 0x7F && b != '%' && b != '?' && b != '#' && b != '"' && b != '<' && b != '>'
                    && b != '\\' && b != '^' && b != '`' && b != '{' && b != '|' && b != '}';
            if (plain && out == null) continue;
            if (out == null) {
                out = new StringBuilder(bytes.length + 16);
                out.append(decoded, 0, i); // the bytes before i were plain ASCII, one char each
            }
            if (plain) {
                out.append((char) b);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(b >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xF, 16)));
            }
        }
        return out == null ? decoded : out.toString();
    }
}
