package io.graygate.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * The open client connections of one event loop, for the shutdown's drain. Touched only on that loop, so a new
 * connection costs a plain set insertion, not the concurrent map and cross-thread close listener of a ChannelGroup;
 * the shutdown reads it through a task on the loop.
 */
final class LoopChannels {

    private final EventLoop loop;
    private final Set<Channel> open = Collections.newSetFromMap(new IdentityHashMap<>());
    private final LoopCounter count = new LoopCounter();
    private final ChannelFutureListener forget = f -> {
        if (open.remove(f.channel())) count.decrement();
    };

    LoopChannels(EventLoop loop) {
        this.loop = loop;
    }

    /** Called on the channel's own loop, as it is initialized. */
    void add(Channel ch) {
        if (open.add(ch)) {
            count.increment();
            ch.closeFuture().addListener(forget);
        }
    }

    /** How many are open, from any thread. */
    long count() {
        return count.get();
    }

    /** A copy of the open channels, taken on the loop; never call it on a loop (it waits). */
    List<Channel> snapshot() {
        return loop.submit(() -> new ArrayList<>(open)).syncUninterruptibly().getNow();
    }
}
