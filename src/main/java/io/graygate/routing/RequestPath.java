package io.graygate.routing;

import java.nio.charset.StandardCharsets;

/**
 * The path routes are matched against: percent-decoded, "." and ".." segments resolved, repeated slashes merged,
 * as nginx does for {@code location}. Without it {@code /public/../admin} would match a route for {@code /public}
 * while the upstream serves {@code /admin}. The upstream still receives the request's own URI.
 */
public final class RequestPath {

    private RequestPath() {
    }

    /** The normalized form of a raw path (query already removed), or null when it climbs above the root or is badly encoded. */
    public static String normalize(String raw) {
        if (!raw.startsWith("/")) return null;
        if (isPlain(raw)) return raw; // the common case: no allocation
        String decoded = decode(raw);
        if (decoded == null) return null;
        StringBuilder out = new StringBuilder(decoded.length());
        int i = 0, n = decoded.length();
        while (i < n) {
            while (i < n && decoded.charAt(i) == '/') i++; // merges "//"
            int end = decoded.indexOf('/', i);
            if (end < 0) end = n;
            String segment = decoded.substring(i, end);
            boolean trailingSlash = end < n;
            if (segment.equals("..")) {
                int cut = out.lastIndexOf("/");
                if (cut < 0) return null;
                out.setLength(cut);
                if (end >= n || decoded.substring(end).chars().allMatch(c -> c == '/')) out.append('/');
            } else if (segment.equals(".")) {
                if (end >= n) out.append('/');
            } else if (!segment.isEmpty()) {
                out.append('/').append(segment);
                if (trailingSlash && end + 1 >= n) out.append('/');
            }
            i = end;
            if (i >= n && out.length() == 0) out.append('/');
        }
        if (out.length() == 0) out.append('/');
        return out.toString();
    }

    private static boolean isPlain(String p) {
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c == '%') return false;
            if (c == '/' && i + 1 < p.length()) {
                char d = p.charAt(i + 1);
                if (d == '/' || d == '.') return false;
            }
        }
        return true;
    }

    private static String decode(String p) {
        if (p.indexOf('%') < 0) return p;
        byte[] bytes = new byte[p.length()];
        int len = 0;
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c == '%') {
                if (i + 2 >= p.length()) return null;
                int hi = Character.digit(p.charAt(i + 1), 16), lo = Character.digit(p.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) return null;
                int b = (hi << 4) | lo;
                if (b == 0) return null;
                bytes[len++] = (byte) b;
                i += 2;
            } else if (c < 0x80) {
                bytes[len++] = (byte) c;
            } else {
                byte[] utf8 = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                if (len + utf8.length > bytes.length) bytes = java.util.Arrays.copyOf(bytes, bytes.length * 2 + utf8.length);
                System.arraycopy(utf8, 0, bytes, len, utf8.length);
                len += utf8.length;
            }
        }
        return new String(bytes, 0, len, StandardCharsets.UTF_8);
    }
}
