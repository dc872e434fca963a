package io.graygate.routing;

import io.graygate.policy.Weights;
import io.graygate.routing.ip.ClientAddress;
import org.apache.commons.codec.digest.MurmurHash3;

/**
 * The bucket of a sticky split, in one place: {@code murmur3_x86_32(utf8(cohort + ":" + key), seed 0)} read as an
 * unsigned number, modulo 10000 (one bucket per basis point). A pure function of cohort and key, so a user lands in
 * the same bucket on every node and after every restart; the test table in {@code StickyBucketTest} pins it for good.
 * The UTF-8 bytes are written into a buffer of the calling thread's own, so that computing a bucket allocates nothing.
 */
public final class StickyBucket {

    private static final ThreadLocal<byte[][]> SCRATCH = ThreadLocal.withInitial(() -> new byte[][] {new byte[256]});

    private StickyBucket() {
    }

    public static int of(String cohort, CharSequence key) {
        return of(cohort, key, 0, key.length());
    }

    /** The bucket of {@code key.subSequence(from, to)} in {@code cohort}, without making that subsequence. */
    public static int of(String cohort, CharSequence key, int from, int to) {
        byte[][] holder = SCRATCH.get();
        byte[] buf = holder[0];
        int max = 3 * (cohort.length() + 1 + (to - from)); // UTF-8 takes at most 3 bytes per UTF-16 unit
        if (buf.length < max) {
            buf = new byte[Math.max(max, buf.length * 2)];
            holder[0] = buf;
        }
        int n = utf8(cohort, 0, cohort.length(), buf, 0);
        buf[n++] = ':';
        n = utf8(key, from, to, buf, n);
        int hash = MurmurHash3.hash32x86(buf, 0, n, 0);
        return (int) (Integer.toUnsignedLong(hash) % Weights.ALL);
    }

    /** The bucket of a client address, keyed by its canonical text ("10.1.2.3", "2001:db8::1"). */
    public static int of(String cohort, ClientAddress client) {
        byte[][] holder = SCRATCH.get();
        if (client.isV4()) {
            byte[] buf = holder[0];
            if (buf.length < 3 * cohort.length() + 17) {
                buf = new byte[3 * cohort.length() + 17];
                holder[0] = buf;
            }
            int n = utf8(cohort, 0, cohort.length(), buf, 0);
            buf[n++] = ':';
            int v = client.v4();
            for (int shift = 24; shift >= 0; shift -= 8) {
                n = decimal((v >>> shift) & 0xFF, buf, n);
                if (shift > 0) buf[n++] = '.';
            }
            return (int) (Integer.toUnsignedLong(MurmurHash3.hash32x86(buf, 0, n, 0)) % Weights.ALL);
        }
        return of(cohort, client.toString()); // IPv6 text is built here; the IPv4 path above allocates nothing
    }

    private static int decimal(int b, byte[] buf, int n) {
        if (b >= 100) buf[n++] = (byte) ('0' + b / 100);
        if (b >= 10) buf[n++] = (byte) ('0' + (b / 10) % 10);
        buf[n++] = (byte) ('0' + b % 10);
        return n;
    }

    /** Encodes UTF-16 units as String.getBytes(UTF_8) does (an unpaired surrogate becomes '?'); returns the new end. */
    private static int utf8(CharSequence s, int from, int to, byte[] out, int n) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                out[n++] = (byte) c;
            } else if (c < 0x800) {
                out[n++] = (byte) (0xC0 | (c >> 6));
                out[n++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                out[n++] = (byte) (0xF0 | (cp >> 18));
                out[n++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                out[n++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                out[n++] = (byte) (0x80 | (cp & 0x3F));
            } else if (Character.isSurrogate(c)) {
                out[n++] = '?';
            } else {
                out[n++] = (byte) (0xE0 | (c >> 12));
                out[n++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                out[n++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        return n;
    }
}
