package io.graygate.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;

import java.util.concurrent.TimeUnit;

/**
 * An HTTP/2 client connection: Netty's frame codec and stream multiplexer, each stream a child channel on the same
 * event loop with the HTTP/1 message codec and a {@link ClientConnection} of its own, so a stream is one exchange
 * decided, forwarded to an HTTP/1.1 upstream and logged exactly as an HTTP/1.1 request is. This handler, last on
 * the connection, grants the connection-level flow-control window, closes the connection when it has had no
 * stream for idleTimeout, and on shutdown sends GOAWAY and lets the open streams finish.
 *
 * <p>Back-pressure is HTTP/2's flow control: a stream whose ClientConnection pauses reading (its upstream is
 * slower) stops consuming, so no WINDOW_UPDATE goes out and the client must stop sending once the stream's window
 * is used up; a stream the client reads slowly becomes unwritable, which pauses its upstream.
 */
final class Http2Frontend extends ChannelInboundHandlerAdapter {

    /** As nginx's http2_max_concurrent_streams. */
    static final int MAX_CONCURRENT_STREAMS = 128;
    /** What a client may send on one stream before graygate has passed it on (twice nginx's 64k body preread). */
    static final int STREAM_WINDOW = 128 * 1024;
    /**
     * What a client may send on the whole connection unconsumed: enough for every stream's window, so a stream
     * held back by a slow upstream never stalls the others; it bounds the memory a connection can make graygate hold.
     */
    static final int CONNECTION_WINDOW = MAX_CONCURRENT_STREAMS * STREAM_WINDOW;

    private final Http2FrameCodec codec;

    private Http2Frontend(Http2FrameCodec codec) {
        this.codec = codec;
    }

    /** Sets up HTTP/2 on an active connection (after the TLS handshake chose it). */
    static void install(ChannelPipeline p, ProxyServer proxy) {
        long drainMillis = proxy.config().proxy().drainTimeout().toMillis();
        Http2FrameCodec codec = Http2FrameCodecBuilder.forServer()
                .initialSettings(Http2Settings.defaultSettings()
                        .maxConcurrentStreams(MAX_CONCURRENT_STREAMS)
                        .initialWindowSize(STREAM_WINDOW)
                        .maxHeaderListSize(proxy.config().proxy().maxHeaderSize()))
                .gracefulShutdownTimeoutMillis(drainMillis)
                .build();
        long idleNanos = proxy.config().proxy().idleTimeout().toNanos();
        p.addFirst("h2-idle", new IdleStateHandler(0, 0, idleNanos, TimeUnit.NANOSECONDS));
        p.addLast("h2", codec);
        p.addLast("h2-streams", new Http2MultiplexHandler(new StreamInitializer(proxy)));
        p.addLast("h2-connection", new Http2Frontend(codec));
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        // The codec makes the connection window equal to one stream's; widen it (it is replenished as streams consume).
        ctx.writeAndFlush(new DefaultHttp2WindowUpdateFrame(CONNECTION_WINDOW - STREAM_WINDOW));
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ClientConnection.DRAIN) {
            ctx.close(); // the codec's graceful close: GOAWAY, then the open streams may finish (drainTimeout at most)
        } else if (evt instanceof IdleStateEvent) {
            if (codec.connection().numActiveStreams() == 0) {
                ctx.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR)).addListener(ChannelFutureListener.CLOSE);
            }
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // The codec has answered a protocol error already (GOAWAY or RST_STREAM); an I/O error ends the connection.
        ctx.close();
    }

    /** The pipeline of one stream: HTTP/2 frames to HTTP/1 messages and back, then the exchange. */
    private static final class StreamInitializer extends ChannelInitializer<Channel> {
        private final ProxyServer proxy;

        StreamInitializer(ProxyServer proxy) {
            this.proxy = proxy;
        }

        @Override
        protected void initChannel(Channel stream) {
            stream.pipeline()
                    .addLast(ClientChannelInitializer.CODEC, new Http2StreamFrameToHttpObjectCodec(true))
                    .addLast(Http2StreamAdapter.NAME, new Http2StreamAdapter())
                    .addLast(ClientChannelInitializer.HANDLER, new ClientConnection(proxy, true));
        }
    }
}
