package io.graygate.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;

/** Builds the pipeline of each client connection: the HTTP/1.1 codec, then the {@link ClientConnection}, which keeps its own timer. */
final class ClientChannelInitializer extends ChannelInitializer<Channel> {

    static final String CODEC = "http";
    static final String HANDLER = "client";
    /** Bodies pass through in pieces of at most this size, as slices of the read buffer (no copies). */
    static final int MAX_CHUNK_SIZE = 65536;

    private final ProxyServer proxy;
    private final HttpDecoderConfig decoder;

    ClientChannelInitializer(ProxyServer proxy) {
        this.proxy = proxy;
        int maxHeaderSize = proxy.config().proxy().maxHeaderSize();
        this.decoder = new HttpDecoderConfig()
                .setMaxInitialLineLength(maxHeaderSize)
                .setMaxHeaderSize(maxHeaderSize)
                .setMaxChunkSize(MAX_CHUNK_SIZE);
    }

    @Override
    protected void initChannel(Channel ch) {
        proxy.track(ch);
        ch.pipeline()
                .addLast(CODEC, new HttpServerCodec(decoder))
                .addLast(HANDLER, new ClientConnection(proxy));
    }
}
