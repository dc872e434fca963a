package io.graygate.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;

import java.util.concurrent.TimeUnit;

/** Builds the pipeline of each client connection: idle timer, HTTP/1.1 codec, then the {@link ClientConnection}. */
final class ClientChannelInitializer extends ChannelInitializer<Channel> {

    static final String IDLE = "idle";
    static final String CODEC = "http";
    static final String HANDLER = "client";
    /** Bodies pass through in pieces of at most this size, as slices of the read buffer (no copies). */
    static final int MAX_CHUNK_SIZE = 65536;

    private final ProxyServer proxy;
    private final HttpDecoderConfig decoder;
    private final long idleTimeoutNanos;

    ClientChannelInitializer(ProxyServer proxy) {
        this.proxy = proxy;
        int maxHeaderSize = proxy.config().proxy().maxHeaderSize();
        this.decoder = new HttpDecoderConfig()
                .setMaxInitialLineLength(maxHeaderSize)
                .setMaxHeaderSize(maxHeaderSize)
                .setMaxChunkSize(MAX_CHUNK_SIZE);
        this.idleTimeoutNanos = proxy.config().proxy().idleTimeout().toNanos();
    }

    @Override
    protected void initChannel(Channel ch) {
        proxy.track(ch);
        ch.pipeline()
                .addLast(IDLE, new IdleStateHandler(idleTimeoutNanos, 0, 0, TimeUnit.NANOSECONDS))
                .addLast(CODEC, new HttpServerCodec(decoder))
                .addLast(HANDLER, new ClientConnection(proxy));
    }
}
