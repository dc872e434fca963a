package io.graygate.stats;

import org.HdrHistogram.Histogram;

import java.nio.ByteBuffer;

/**
 * One version's exchanges that ended in one second of wall-clock time ({@code second} since the epoch), on one node:
 * counts per {@link Outcome} and the latency histogram (microseconds) in HdrHistogram's compact encoding, which is
 * also how a node publishes it to the others.
 */
record SecondSample(long second, long[] outcomes, byte[] latency) {

    long requests() {
        long n = 0;
        for (long c : outcomes) n += c;
        return n;
    }

    static byte[] encode(Histogram h) {
        ByteBuffer buf = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int n = h.encodeIntoByteBuffer(buf);
        byte[] out = new byte[n];
        buf.flip();
        buf.get(out);
        return out;
    }

    /** Adds this sample's latencies into {@code into}. */
    void addLatencyTo(Histogram into) {
        if (latency.length == 0) return;
        into.add(Histogram.decodeFromByteBuffer(ByteBuffer.wrap(latency), 0));
    }
}
