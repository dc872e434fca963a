package io.graygate.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** After the TLS handshake, sets up HTTP/2 or HTTP/1.1 by what ALPN chose (HTTP/1.1 when the client offered nothing). */
final class AlpnSelector extends ApplicationProtocolNegotiationHandler {

    static final String NAME = "alpn";
    private static final Logger log = LoggerFactory.getLogger(AlpnSelector.class);

    private final ClientChannelInitializer pipelines;

    AlpnSelector(ClientChannelInitializer pipelines) {
        super(ApplicationProtocolNames.HTTP_1_1);
        this.pipelines = pipelines;
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
        if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
            pipelines.http2(ctx.pipeline());
        } else {
            pipelines.http1(ctx.pipeline());
            // The ClientConnection starts (peer, pool, idle timer) on channelActive, which passed before it was added.
            ctx.fireChannelActive();
        }
    }

    /** A failed handshake (a scanner, an old client, a wrong name) is the client's business: debug, not a warning per connection. */
    @Override
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("TLS handshake with {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("client {} before the protocol was chosen: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
