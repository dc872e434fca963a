package io.graygate.routing.ip;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IPv4 or IPv6 address as 128 bits; IPv4 is held in its IPv4-mapped IPv6 form (::ffff:a.b.c.d).
 *
 * <p>Parsing is hand-rolled rather than {@link InetAddress#getByName} because that may resolve host names
 * (a blocking DNS call) and allocates; the request path parses header values with no lookups.
 */
public record IpAddress(long hi, long lo) {

    static final long V4_MAPPED_HI = 0L;
    static final long V4_MAPPED_LO_PREFIX = 0x0000_FFFF_0000_0000L;

    public static IpAddress ofV4(int v4) {
        return new IpAddress(V4_MAPPED_HI, V4_MAPPED_LO_PREFIX | (v4 & 0xFFFF_FFFFL));
    }

    public static IpAddress of(InetAddress address) {
        byte[] b = address.getAddress();
        if (b.length == 4) {
            return ofV4(((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF));
        }
        long hi = 0, lo = 0;
        for (int i = 0; i < 8; i++) {
            hi = (hi << 8) | (b[i] & 0xFF);
            lo = (lo << 8) | (b[i + 8] & 0xFF);
        }
        return new IpAddress(hi, lo);
    }

    public boolean isV4() {
        return hi == V4_MAPPED_HI && (lo & 0xFFFF_FFFF_0000_0000L) == V4_MAPPED_LO_PREFIX;
    }

    public int v4() {
        return (int) lo;
    }

    /** Parses an IPv4 or IPv6 literal, or returns null when {@code s[from, to)} is not one. Never resolves names. */
    public static IpAddress parse(CharSequence s, int from, int to) {
        ClientAddress out = new ClientAddress();
        return parse(s, from, to, out) ? out.toIpAddress() : null;
    }

    /**
     * Parses an IPv4 or IPv6 literal into {@code out}, allocating nothing, and returns true; or returns false and
     * leaves {@code out} as it was when {@code s[from, to)} is not one. The request path parses header values so.
     */
    public static boolean parse(CharSequence s, int from, int to, ClientAddress out) {
        while (from < to && s.charAt(from) == ' ') from++;
        while (to > from && s.charAt(to - 1) == ' ') to--;
        if (from >= to) return false;
        if (s.charAt(from) == '[' && s.charAt(to - 1) == ']') {
            from++;
            to--;
        }
        // A dotted quad, the common client, is parsed straight away: text with a ':' in it is never one.
        long v4 = parseV4(s, from, to);
        if (v4 >= 0) {
            out.set(V4_MAPPED_HI, V4_MAPPED_LO_PREFIX | v4);
            return true;
        }
        for (int i = from; i < to; i++) {
            if (s.charAt(i) == ':') return parseV6(s, from, to, out);
        }
        return false;
    }

    public static IpAddress parse(CharSequence s) {
        return s == null ? null : parse(s, 0, s.length());
    }

    /** Returns the address as an unsigned 32-bit value, or -1 when the text is not a dotted quad. */
    static long parseV4(CharSequence s, int from, int to) {
        long result = 0;
        int i = from;
        for (int part = 0; part < 4; part++) {
            if (part > 0) {
                if (i >= to || s.charAt(i) != '.') return -1;
                i++;
            }
            int start = i, value = 0;
            for (char c; i < to && i - start < 4 && (c = s.charAt(i)) >= '0' && c <= '9'; i++) value = value * 10 + (c - '0');
            int digits = i - start;
            // no leading zeros: 010 is octal to some parsers
            if (digits == 0 || digits > 3 || value > 255 || (digits > 1 && s.charAt(start) == '0')) return -1;
            result = result << 8 | value;
        }
        return i == to ? result : -1;
    }

    private static boolean parseV6(CharSequence s, int from, int to, ClientAddress out) {
        int percent = -1;
        for (int i = from; i < to; i++) {
            if (s.charAt(i) == '%') {
                percent = i;
                break;
            }
        }
        if (percent >= 0) to = percent; // zone id: not part of the address
        // Groups are shifted into a 128-bit accumulator as they are read, with no array to allocate per request.
        // At "::" the groups so far move to head; at the end head is shifted left past the elided zero groups.
        long accHi = 0, accLo = 0, headHi = 0, headLo = 0;
        int count = 0, gap = -1, i = from;
        if (to - from >= 2 && s.charAt(from) == ':' && s.charAt(from + 1) == ':') {
            gap = 0;
            i = from + 2;
            if (i == to) {
                out.set(0, 0);
                return true;
            }
        } else if (s.charAt(from) == ':') {
            return false;
        }
        while (i < to) {
            if (count == 8) return false;
            int start = i, value = 0;
            while (i < to && i - start < 5) {
                int d = Character.digit(s.charAt(i), 16);
                if (d < 0) break;
                value = (value << 4) | d;
                i++;
            }
            if (i < to && s.charAt(i) == '.') {
                long v4 = parseV4(s, start, to);
                if (v4 < 0 || count > 6) return false;
                accHi = (accHi << 32) | (accLo >>> 32);
                accLo = (accLo << 32) | v4;
                count += 2;
                break;
            }
            if (i == start || i - start > 4) return false;
            accHi = (accHi << 16) | (accLo >>> 48);
            accLo = (accLo << 16) | value;
            count++;
            if (i == to) break;
            if (s.charAt(i) != ':') return false;
            i++;
            if (i < to && s.charAt(i) == ':') {
                if (gap >= 0) return false;
                gap = count;
                headHi = accHi;
                headLo = accLo;
                accHi = 0;
                accLo = 0;
                i++;
            } else if (i == to) {
                return false;
            }
        }
        if (gap < 0) {
            if (count != 8) return false;
            out.set(accHi, accLo);
            return true;
        }
        if (count == 8) return false;
        int shift = 16 * (8 - gap); // bits taken by the groups after the gap, elided or not: 16..128
        long hi, lo;
        if (shift >= 128) {
            hi = 0;
            lo = 0;
        } else if (shift >= 64) {
            hi = headLo << (shift - 64);
            lo = 0;
        } else {
            hi = (headHi << shift) | (headLo >>> (64 - shift));
            lo = headLo << shift;
        }
        out.set(hi | accHi, lo | accLo);
        return true;
    }

    public InetAddress toInetAddress() {
        try {
            if (isV4()) {
                int v = v4();
                return InetAddress.getByAddress(new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
            }
            byte[] b = new byte[16];
            for (int i = 0; i < 8; i++) {
                b[i] = (byte) (hi >>> (56 - 8 * i));
                b[i + 8] = (byte) (lo >>> (56 - 8 * i));
            }
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // only thrown for a wrong array length
        }
    }

    /** The canonical text: dotted quad for IPv4, RFC 5952 compressed form for IPv6. */
    @Override
    public String toString() {
        return format(hi, lo);
    }

    /** The canonical text of the address {@code hi, lo}. */
    static String format(long hi, long lo) {
        if (hi == V4_MAPPED_HI && (lo & 0xFFFF_FFFF_0000_0000L) == V4_MAPPED_LO_PREFIX) {
            // Formatted here rather than through Inet4Address: the proxy writes it into X-Real-IP per request.
            int v = (int) lo;
            return (v >>> 24) + "." + ((v >>> 16) & 0xFF) + "." + ((v >>> 8) & 0xFF) + "." + (v & 0xFF);
        }
        return compressV6(hi, lo);
    }

    private static String compressV6(long hi, long lo) {
        int[] g = new int[8];
        for (int i = 0; i < 4; i++) {
            g[i] = (int) (hi >>> (48 - 16 * i)) & 0xFFFF;
            g[i + 4] = (int) (lo >>> (48 - 16 * i)) & 0xFFFF;
        }
        int bestStart = -1, bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) j++;
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') sb.append(':');
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }
}
