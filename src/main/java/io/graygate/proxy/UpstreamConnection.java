package io.graygate.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The back end of the proxy: the last handler on one upstream connection. While an exchange is bound it hands
 * everything the upstream sends to that exchange's {@link ClientConnection}; while idle in its {@link UpstreamPool}
 * it only watches for the upstream closing it. It reads on its own (auto-read) except while the client is slower.
 */
final class UpstreamConnection extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(UpstreamConnection.class);

    private final UpstreamPool pool;
    private Channel channel;
    private UpstreamServer server;
    private ClientConnection owner;
    private long idleSince;

    UpstreamConnection(UpstreamPool pool) {
        this.pool = pool;
    }

    static UpstreamConnection of(Channel channel) {
        return (UpstreamConnection) channel.pipeline().get(UpstreamPool.HANDLER);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    Channel channel() {
        return channel;
    }

    UpstreamServer server() {
        return server;
    }

    void server(UpstreamServer server) {
        this.server = server;
    }

    long idleSince() {
        return idleSince;
    }

    void idleSince(long nanos) {
        idleSince = nanos;
    }

    void bind(ClientConnection client) {
        owner = client;
    }

    void unbind() {
        owner = null;
    }

    /** Stops reading the upstream while the client cannot take more (auto-read off). */
    void pauseReading() {
        if (channel.config().isAutoRead()) channel.config().setAutoRead(false);
    }

    /** Reads the upstream on its own again (auto-read on); a no-op when it was not paused. */
    void resumeReading() {
        if (!channel.config().isAutoRead()) channel.config().setAutoRead(true);
    }

    /** Closes the connection without telling any exchange (the caller has already unbound it). */
    void close() {
        owner = null;
        channel.close();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ClientConnection o = owner;
        if (o != null) {
            o.fromUpstream(msg);
        } else {
            // Bytes on an idle connection answer nothing we asked: the connection cannot be trusted with a request.
            ReferenceCountUtil.release(msg);
            pool.forget(this);
            ctx.close();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ClientConnection o = owner;
        if (o != null) o.upstreamReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        ClientConnection o = owner;
        if (o != null) o.upstreamWritabilityChanged();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        ClientConnection o = owner;
        owner = null;
        if (o != null) {
            o.upstreamFailed(this, null);
        } else {
            pool.forget(this);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ClientConnection o = owner;
        owner = null;
        if (o != null) {
            o.upstreamFailed(this, cause);
        } else {
            log.debug("idle upstream connection to {} failed", server, cause);
        }
        ctx.close();
    }
}
