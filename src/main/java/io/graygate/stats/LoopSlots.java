package io.graygate.stats;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Counts that each event loop changes for itself and any thread reads: one row of slots per loop, rows a cache line
 * apart so that two loops never write the same line. With one writer per row no atomic read-modify-write is needed:
 * a change is a plain read and a release store, where a shared LongAdder would cost a CAS.
 */
final class LoopSlots {

    private static final VarHandle AT = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int LINE = 8; // longs per 64-byte cache line

    private final long[] values;
    private final int loops;
    private final int stride;

    LoopSlots(int loops, int width) {
        this.loops = loops;
        this.stride = (width + LINE - 1) / LINE * LINE + LINE;
        this.values = new long[LINE + loops * stride];
    }

    /** Only on loop {@code loop}. */
    void add(int loop, int slot, long n) {
        int i = LINE + loop * stride + slot;
        AT.setRelease(values, i, (long) AT.get(values, i) + n);
    }

    /** From any thread. */
    long get(int loop, int slot) {
        return (long) AT.getAcquire(values, LINE + loop * stride + slot);
    }

    /** The slot summed over every loop, from any thread. */
    long sum(int slot) {
        long n = 0;
        for (int l = 0; l < loops; l++) n += get(l, slot);
        return n;
    }

    int loops() {
        return loops;
    }
}
