package io.graygate.routing;

import io.graygate.policy.Weights;
import io.graygate.routing.ip.ClientAddress;

import java.nio.charset.StandardCharsets;

/**
 * The bucket of a sticky split, in one place: {@code murmur3_x86_32(utf8(cohort + ":" + key), seed 0)} read as an
 * unsigned number, modulo 10000 (one bucket per basis point). A pure function of cohort and key, so a user lands in
 * the same bucket on every node and after every restart; the test table in {@code StickyBucketTest} pins it for good.
 *
 * <p>One instance per cohort, made when a split is compiled, holds the hash state after {@code cohort + ":"}; a key
 * is then UTF-8-encoded a character at a time straight into the hash, so that computing a bucket allocates nothing
 * and hashes only the key's bytes.
 */
public final class StickyBucket {

    private static final int C1 = 0xcc9e2d51;
    private static final int C2 = 0x1b873593;

    private final int prefixHash;   // the hash after the whole 4-byte blocks of utf8(cohort + ":")
    private final int prefixTail;   // its last 0-3 bytes, little-endian, waiting for the key's bytes to fill a block
    private final int prefixLength; // its length in bytes

    private StickyBucket(String cohort) {
        byte[] prefix = (cohort + ":").getBytes(StandardCharsets.UTF_8);
        int h = 0, i = 0;
        for (; i + 4 <= prefix.length; i += 4) {
            h = block(h, (prefix[i] & 0xFF) | (prefix[i + 1] & 0xFF) << 8 | (prefix[i + 2] & 0xFF) << 16 | prefix[i + 3] << 24);
        }
        int tail = 0;
        for (int shift = 0; i < prefix.length; i++, shift += 8) tail |= (prefix[i] & 0xFF) << shift;
        this.prefixHash = h;
        this.prefixTail = tail;
        this.prefixLength = prefix.length;
    }

    /** The bucket function of one cohort. */
    public static StickyBucket in(String cohort) {
        return new StickyBucket(cohort);
    }

    public static int of(String cohort, CharSequence key) {
        return in(cohort).bucket(key, 0, key.length());
    }

    /** The bucket of {@code key.subSequence(from, to)} in {@code cohort}, without making that subsequence. */
    public static int of(String cohort, CharSequence key, int from, int to) {
        return in(cohort).bucket(key, from, to);
    }

    /** The bucket of a client address, keyed by its canonical text ("10.1.2.3", "2001:db8::1"). */
    public static int of(String cohort, ClientAddress client) {
        return in(cohort).bucket(client);
    }

    /**
     * The bucket of {@code key.subSequence(from, to)}. UTF-16 units are encoded as String.getBytes(UTF_8) encodes
     * them: a surrogate pair as its 4-byte code point, an unpaired surrogate as '?'.
     */
    public int bucket(CharSequence key, int from, int to) {
        long state = start();
        int n = prefixLength;
        for (int i = from; i < to; i++) {
            char c = key.charAt(i);
            if (i + 4 <= to) { // four ASCII characters, the usual key, are four bytes: one step, at any alignment
                char c1 = key.charAt(i + 1), c2 = key.charAt(i + 2), c3 = key.charAt(i + 3);
                if ((c | c1 | c2 | c3) < 0x80) {
                    state = append(state, n, c | c1 << 8 | c2 << 16 | c3 << 24, 4);
                    n += 4;
                    i += 3;
                    continue;
                }
            }
            int bytes, count; // the character's UTF-8 bytes, first in the lowest 8 bits
            if (c < 0x80) {
                bytes = c;
                count = 1;
            } else if (c < 0x800) {
                bytes = (0xC0 | c >> 6) | (0x80 | c & 0x3F) << 8;
                count = 2;
            } else if (!Character.isSurrogate(c)) {
                bytes = (0xE0 | c >> 12) | (0x80 | c >> 6 & 0x3F) << 8 | (0x80 | c & 0x3F) << 16;
                count = 3;
            } else if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(key.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, key.charAt(++i));
                bytes = (0xF0 | cp >> 18) | (0x80 | cp >> 12 & 0x3F) << 8 | (0x80 | cp >> 6 & 0x3F) << 16 | (0x80 | cp & 0x3F) << 24;
                count = 4;
            } else {
                bytes = '?';
                count = 1;
            }
            state = append(state, n, bytes, count);
            n += count;
        }
        return finish(state, n);
    }

    /** The bucket of a client address, keyed by its canonical text ("10.1.2.3", "2001:db8::1"). */
    public int bucket(ClientAddress client) {
        if (!client.isV4()) {
            String text = client.toString(); // IPv6 text is built here; the IPv4 path below allocates nothing
            return bucket(text, 0, text.length());
        }
        long state = start();
        int n = prefixLength;
        int v = client.v4();
        for (int shift = 24; shift >= 0; shift -= 8) {
            int b = (v >>> shift) & 0xFF;
            int bytes, count; // the octet's decimal digits, then the dot before the next octet
            if (b >= 100) {
                bytes = ('0' + b / 100) | ('0' + b / 10 % 10) << 8 | ('0' + b % 10) << 16;
                count = 3;
            } else if (b >= 10) {
                bytes = ('0' + b / 10) | ('0' + b % 10) << 8;
                count = 2;
            } else {
                bytes = '0' + b;
                count = 1;
            }
            if (shift > 0) bytes |= '.' << (count++ << 3);
            state = append(state, n, bytes, count);
            n += count;
        }
        return finish(state, n);
    }

    /** The hash state, {@code hash << 32 | pending bytes}, after the prefix. */
    private long start() {
        return (long) prefixHash << 32 | (prefixTail & 0xFFFF_FFFFL);
    }

    /**
     * Adds 1-4 bytes (first in the lowest 8 bits) after {@code n} bytes: they join the 0-3 pending ones, at most one
     * block fills and is hashed, the bytes beyond it wait.
     */
    private static long append(long state, int n, int bytes, int count) {
        int h = (int) (state >>> 32), pending = (int) state;
        int used = (n & 3) << 3;
        pending |= bytes << used;
        if (used + (count << 3) >= 32) {
            h = block(h, pending);
            pending = used == 0 ? 0 : bytes >>> (32 - used);
        }
        return (long) h << 32 | (pending & 0xFFFF_FFFFL);
    }

    /** Murmur3 x86_32's step for one whole little-endian 4-byte block. */
    private static int block(int h, int k) {
        h ^= mixK(k);
        h = Integer.rotateLeft(h, 13);
        return h * 5 + 0xe6546b64;
    }

    private static int mixK(int k) {
        k *= C1;
        k = Integer.rotateLeft(k, 15);
        return k * C2;
    }

    /** The 0-3 tail bytes, the length and the final avalanche; then the bucket. */
    private static int finish(long state, int length) {
        int h = (int) (state >>> 32);
        if ((length & 3) != 0) h ^= mixK((int) state);
        h ^= length;
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return (int) (Integer.toUnsignedLong(h) % Weights.ALL);
    }
}
