package io.graygate.testing;

import java.io.InputStream;
import java.util.Random;
import java.util.zip.CRC32;

/**
 * A deterministic byte stream of any length, for moving large bodies without keeping them: the same 64 KiB block
 * of seeded random bytes over and over. Both ends can check what arrived by its length and CRC-32.
 */
public final class Pattern {

    public static final int BLOCK_SIZE = 65536;
    private static final byte[] BLOCK = new byte[BLOCK_SIZE];

    static {
        new Random(20240601L).nextBytes(BLOCK);
    }

    private Pattern() {
    }

    /** The block itself, shared: do not change it. */
    public static byte[] block() {
        return BLOCK;
    }

    /** The CRC-32 of the first {@code length} bytes of the stream. */
    public static long crc(long length) {
        CRC32 crc = new CRC32();
        long left = length;
        while (left > 0) {
            int n = (int) Math.min(BLOCK_SIZE, left);
            crc.update(BLOCK, 0, n);
            left -= n;
        }
        return crc.getValue();
    }

    /** The first {@code length} bytes of the stream as an InputStream that holds no more than the block. */
    public static InputStream stream(long length) {
        return new InputStream() {
            private long position;

            @Override
            public int read() {
                if (position >= length) return -1;
                return BLOCK[(int) (position++ % BLOCK_SIZE)] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (position >= length) return -1;
                int inBlock = (int) (position % BLOCK_SIZE);
                int n = (int) Math.min(Math.min(len, BLOCK_SIZE - inBlock), length - position);
                System.arraycopy(BLOCK, inBlock, b, off, n);
                position += n;
                return n;
            }
        };
    }
}
