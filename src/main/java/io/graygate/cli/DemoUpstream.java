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
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stand-in upstream for {@code serve --demo}: answers every request with one fixed line, such as "production". It
 * can be told to misbehave, to watch a rollout abort: {@code POST /_demo/fail?ratio=0.2} answers that share of the
 * requests with 500 (spread evenly: one in five), {@code POST /_demo/delay?ms=300} answers every request that much
 * later; {@code ratio=0} and {@code ms=0} put it right again.
 */
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
        Behaviour behaviour = new Behaviour();
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
                                    .addLast(new Answer(body, behaviour));
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

    /** How the stand-in is told to misbehave: the share of requests to fail, and a delay; shared by its connections. */
    private static final class Behaviour {
        private final AtomicLong served = new AtomicLong();
        private volatile double failRatio;
        private volatile long delayMillis;

        /** True for an even spread of {@code failRatio} of the requests: the n-th fails when floor(n * ratio) steps up. */
        boolean failNext() {
            double r = failRatio;
            long n = served.incrementAndGet();
            return Math.floor(n * r) > Math.floor((n - 1) * r);
        }
    }

    /** Writes the fixed body for any request, keeping the connection open when the client asks to. */
    private static final class Answer extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final byte[] body;
        private final Behaviour behaviour;

        Answer(byte[] body, Behaviour behaviour) {
            this.body = body;
            this.behaviour = behaviour;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            QueryStringDecoder uri = new QueryStringDecoder(request.uri());
            if (uri.path().startsWith("/_demo/")) {
                control(ctx, request, uri);
                return;
            }
            boolean fail = behaviour.failNext();
            byte[] text = fail ? "failing on purpose (/_demo/fail)\n".getBytes(StandardCharsets.UTF_8) : body;
            long delay = behaviour.delayMillis;
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            boolean head = request.method().equals(HttpMethod.HEAD);
            Runnable answer = () -> write(ctx, fail ? HttpResponseStatus.INTERNAL_SERVER_ERROR : HttpResponseStatus.OK, text, head, keepAlive);
            if (delay > 0) ctx.executor().schedule(answer, delay, TimeUnit.MILLISECONDS);
            else answer.run();
        }

        private void control(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri) {
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            String said;
            try {
                if (!request.method().equals(HttpMethod.POST)) throw new IllegalArgumentException("use POST");
                if (uri.path().equals("/_demo/fail")) {
                    double ratio = Double.parseDouble(param(uri, "ratio"));
                    if (!(ratio >= 0 && ratio <= 1)) throw new IllegalArgumentException("ratio must be from 0 to 1");
                    behaviour.failRatio = ratio;
                    said = "failing " + Math.round(ratio * 100) + "% of requests\n";
                } else if (uri.path().equals("/_demo/delay")) {
                    long ms = Long.parseLong(param(uri, "ms"));
                    if (ms < 0 || ms > 60_000) throw new IllegalArgumentException("ms must be from 0 to 60000");
                    behaviour.delayMillis = ms;
                    said = "answering " + ms + " ms late\n";
                } else {
                    throw new IllegalArgumentException("known: POST /_demo/fail?ratio=0.2, POST /_demo/delay?ms=300");
                }
            } catch (IllegalArgumentException e) {
                write(ctx, HttpResponseStatus.BAD_REQUEST, (e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8), false, keepAlive);
                return;
            }
            write(ctx, HttpResponseStatus.OK, said.getBytes(StandardCharsets.UTF_8), false, keepAlive);
        }

        private static String param(QueryStringDecoder uri, String name) {
            var values = uri.parameters().get(name);
            if (values == null || values.isEmpty()) throw new IllegalArgumentException(name + " is required");
            return values.get(0);
        }

        private static void write(ChannelHandlerContext ctx, HttpResponseStatus status, byte[] text, boolean head, boolean keepAlive) {
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(text));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, text.length);
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
