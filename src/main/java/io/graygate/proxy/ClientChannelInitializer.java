package io.graygate.proxy;

import io.graygate.proxy.tls.ListenerTls;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpDecoderConfig;

/**
 * Builds the pipeline of each client connection of one listener. Plain: the HTTP/1.1 codec ({@link ClientHttpCodec}, strict framing), then the
 * {@link ClientConnection}. TLS: the TLS handler (SNI picks the certificate when there are several), then
 * {@link AlpnSelector}, which after the handshake sets up HTTP/2 ({@link Http2Frontend}) or HTTP/1.1 as above.
 */
final class ClientChannelInitializer extends ChannelInitializer<Channel> {

    static final String CODEC = "http";
    static final String HANDLER = "client";
    static final String TLS = "tls";
    /** Bodies pass through in pieces of at most this size, as slices of the read buffer (no copies). */
    static final int MAX_CHUNK_SIZE = 65536;

    private final ProxyServer proxy;
    private final ListenerTls tls;
    private final HttpDecoderConfig decoder;

    /** @param tls the listener's TLS, or null for a plain listener */
    ClientChannelInitializer(ProxyServer proxy, ListenerTls tls) {
        this.proxy = proxy;
        this.tls = tls;
        int maxHeaderSize = proxy.config().proxy().maxHeaderSize();
        this.decoder = new HttpDecoderConfig()
                .setMaxInitialLineLength(maxHeaderSize)
                .setMaxHeaderSize(maxHeaderSize)
                .setMaxChunkSize(MAX_CHUNK_SIZE)
                // nginx takes a bare LF as a line end (RFC 9112 §2.2 lets a recipient); a bare CR is refused (RequestScanner)
                .setStrictLineParsing(false);
    }

    @Override
    protected void initChannel(Channel ch) {
        proxy.track(ch);
        if (tls == null) {
            http1(ch.pipeline());
            return;
        }
        ch.pipeline()
                .addLast(TLS, tls.newHandler(ch.alloc()))
                .addLast(AlpnSelector.NAME, new AlpnSelector(this));
    }

    /** The HTTP/1.1 pipeline, behind TLS or not. */
    void http1(ChannelPipeline p) {
        p.addLast(CODEC, new ClientHttpCodec(decoder)).addLast(HANDLER, new ClientConnection(proxy, tls != null));
    }

    /** The HTTP/2 pipeline (TLS only): each stream becomes a child channel served by a ClientConnection of its own. */
    void http2(ChannelPipeline p) {
        Http2Frontend.install(p, proxy);
    }
}
