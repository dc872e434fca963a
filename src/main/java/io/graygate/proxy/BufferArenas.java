package io.graygate.proxy;

import io.netty.buffer.PooledByteBufAllocator;

/**
 * Sizes Netty's pooled allocator to the proxy's event loops. Netty makes two arenas per core, for programs whose
 * threads outnumber the cores; each arena a thread allocates from holds at least one 4 MiB chunk for the life of the
 * process. graygate's buffers are allocated on its event loops, one per core, and its few other Netty threads (admin,
 * health checks, DNS) allocate little, so twice the arenas only hold twice the idle chunks: on 2 cores, 16 MB of
 * direct memory where 8 MB serve (README, "Running in production"). A {@code -Dio.netty.allocator.numDirectArenas}
 * or {@code numHeapArenas} given on the command line is kept.
 */
public final class BufferArenas {

    static final String DIRECT = "io.netty.allocator.numDirectArenas";
    static final String HEAP = "io.netty.allocator.numHeapArenas";

    private BufferArenas() {
    }

    /**
     * Gives the allocator one arena of each kind per event loop unless the command line chose; only takes effect when
     * called before anything in the process has used Netty's pooled allocator. Returns the direct arenas of the
     * allocator in force: {@code loops}, unless it was built already or the command line chose otherwise.
     */
    public static int matchLoops(int loops) {
        if (loops < 1) throw new IllegalArgumentException("loops must be at least 1: " + loops);
        if (System.getProperty(DIRECT) == null) System.setProperty(DIRECT, Integer.toString(loops));
        if (System.getProperty(HEAP) == null) System.setProperty(HEAP, Integer.toString(loops));
        return PooledByteBufAllocator.DEFAULT.metric().numDirectArenas();
    }
}
