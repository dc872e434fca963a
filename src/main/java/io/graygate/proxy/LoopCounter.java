package io.graygate.proxy;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A count that one event loop changes and any thread reads: the loop's requests in flight. With one writer no atomic
 * read-modify-write is needed, so a change costs a plain store where a shared LongAdder costs a contended CAS.
 */
final class LoopCounter {

    private static final VarHandle COUNT;

    static {
        try {
            COUNT = MethodHandles.lookup().findVarHandle(LoopCounter.class, "count", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // through COUNT
    private long count;

    /** Only on the owning event loop. */
    void increment() {
        COUNT.setRelease(this, count + 1);
    }

    /** Only on the owning event loop. */
    void decrement() {
        COUNT.setRelease(this, count - 1);
    }

    /** From any thread. */
    long get() {
        return (long) COUNT.getAcquire(this);
    }
}
