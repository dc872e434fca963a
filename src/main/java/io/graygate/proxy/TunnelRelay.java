package io.graygate.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After a {@code 101 Switching Protocols} (a WebSocket, say) the HTTP codecs are gone and this relays raw bytes from
 * its channel to the peer channel; it asks its own channel for more only once the peer took the last batch.
 * One sits on each side; when either side closes, the other is closed once its pending bytes are flushed.
 */
final class TunnelRelay extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(TunnelRelay.class);

    private final Channel peer;
    private ChannelFuture lastWrite;
    private ChannelFutureListener readAgain;

    TunnelRelay(Channel peer) {
        this.peer = peer;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        readAgain = f -> {
            if (f.isSuccess()) {
                ctx.read();
            } else {
                CloseOnFlush.close(ctx.channel());
            }
        };
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        // The upstream's HTTP decoder may still hand over what it read behind the 101 as HTTP content: pass the bytes.
        Object bytes = msg instanceof HttpContent c ? c.content() : msg;
        lastWrite = peer.write(bytes);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ChannelFuture f = lastWrite;
        lastWrite = null;
        if (f == null) {
            ctx.read();
            return;
        }
        peer.flush();
        f.addListener(readAgain);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        CloseOnFlush.close(peer);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            ctx.close();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("tunnel {} failed", ctx.channel(), cause);
        ctx.close();
    }
}
