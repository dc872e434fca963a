package io.graygate.cli;

import io.graygate.config.HostPort;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** A stand-in upstream for {@code serve --demo}: answers every request with one fixed line, such as "production". */
final class DemoUpstream implements AutoCloseable {

    private final String name;
    private final EventLoopGroup loop;
    private final Channel listener;
    private boolean closed;

    private DemoUpstream(String name, EventLoopGroup loop, Channel listener) {
        this.name = name;
        this.loop = loop;
        this.listener = listener;
    }

    /** Starts on a free loopback port, answering {@code name + "\n"}. */
    static DemoUpstream start(String name) {
        byte[] body = (name + "\n").getBytes(StandardCharsets.UTF_8);
        EventLoopGroup loop = new NioEventLoopGroup(1, new DefaultThreadFactory("graygate-demo-" + name));
        try {
            Channel listener = new ServerBootstrap()
                    .group(loop)
                    .channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline()
                                    .addLast(new HttpServerCodec())
                                    .addLast(new HttpObjectAggregator(1024 * 1024))
                                    .addLast(new Answer(body));
                        }
                    })
                    .bind("127.0.0.1", 0).syncUninterruptibly().channel();
            return new DemoUpstream(name, loop, listener);
        } catch (RuntimeException e) {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
            throw e;
        }
    }

    String name() {
        return name;
    }

    HostPort address() {
        InetSocketAddress a = (InetSocketAddress) listener.localAddress();
        return new HostPort(a.getAddress().getHostAddress(), a.getPort());
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        listener.close().awaitUninterruptibly();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    /** Writes the fixed body for any request, keeping the connection open when the client asks to. */
    private static final class Answer extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final byte[] body;

        Answer(byte[] body) {
            this.body = body;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            boolean head = request.method().equals(HttpMethod.HEAD);
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            HttpUtil.setKeepAlive(response, keepAlive);
            if (keepAlive) ctx.writeAndFlush(response);
            else ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
