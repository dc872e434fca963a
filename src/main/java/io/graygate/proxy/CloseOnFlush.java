package io.graygate.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;

/** Closes a channel once everything already written to it has gone out; the shared way both sides hang up. */
final class CloseOnFlush {

    private CloseOnFlush() {
    }

    static void close(Channel channel) {
        if (channel.isActive()) {
            channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else {
            channel.close();
        }
    }
}
