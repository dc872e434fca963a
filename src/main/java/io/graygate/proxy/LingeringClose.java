package io.graygate.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;

import java.util.concurrent.TimeUnit;

/**
 * Closes a client connection after a refusal (400, 408, 413, 414, 431...) so that the client reads the response:
 * closing a socket with unread bytes in its receive buffer makes the kernel send RST, which can destroy the
 * response before the client has read it. Instead, once the response has gone out, the output is shut (FIN),
 * whatever the client still sends is read and dropped, and the connection closes when the client closes its side
 * or after {@link #LINGER_MILLIS}, as nginx's lingering close does.
 */
final class LingeringClose {

    static final long LINGER_MILLIS = 2000;
    private static final String NAME = "lingering-close";

    private LingeringClose() {
    }

    /** Closes {@code channel} gracefully once {@code written} (the last response) has been flushed. */
    static void after(ChannelFuture written) {
        Channel channel = written.channel();
        if (!(channel instanceof DuplexChannel duplex)) { // an HTTP/2 stream: its codec ends it cleanly
            written.addListener(ChannelFutureListener.CLOSE);
            return;
        }
        written.addListener(f -> {
            if (!f.isSuccess() || !channel.isActive() || channel.pipeline().get(NAME) != null) {
                channel.close();
                return;
            }
            channel.pipeline().addFirst(NAME, new Discard());
            channel.config().setAutoRead(true);
            duplex.shutdownOutput().addListener(s -> {
                if (!s.isSuccess()) channel.close();
            });
            channel.eventLoop().schedule(() -> {
                channel.close();
            }, LINGER_MILLIS, TimeUnit.MILLISECONDS);
        });
    }

    /** Drops every byte the client still sends; closes when it has sent all (end of its stream). */
    private static final class Discard extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf b) {
                b.release();
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                ctx.close();
            } else {
                ctx.fireUserEventTriggered(evt);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
