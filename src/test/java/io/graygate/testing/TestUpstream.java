package io.graygate.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;

/**
 * A real HTTP/1.1 upstream for tests: listens on a free port of 127.0.0.1 (or a host you name), answers with its
 * name, records every request exactly as it arrived, and counts the TCP connections it accepted.
 *
 * <p>What it does for one request is chosen by query parameters, so it behaves the same under any route prefix:
 * <pre>
 *   (none)          200 text/plain, body = the name, sized with Content-Length
 *   status=N        answer with status N (the body is still the name)
 *   chunked=1       send the body in chunked framing
 *   delay=MS        wait MS milliseconds before answering
 *   echo=headers    body = the request line, then each header as "name: value", as received
 *   echo=body       stream the request body straight back, chunked, as it arrives
 *   count=body      read the body without keeping it; answer "bytes=N crc=HEX" (HEX: CRC-32, lower case)
 *   download=N      answer N bytes of {@link Pattern}, with back-pressure (sized; chunked with chunked=1)
 *   close=1         answer with Connection: close, then close
 *   set=Name:Value  add this response header (repeatable)
 *   drop=reused     on a connection that already served a request: close it without answering
 * </pre>
 * A request with {@code Expect: 100-continue} gets {@code 100 Continue} before its body is read. A request with an
 * Upgrade header gets {@code 101 Switching Protocols} (with Sec-WebSocket-Accept when it sent a key); from then on the connection is raw bytes: it sends
 * {@code "NAME upgraded\n"} at once and echoes whatever it receives.
 */
public final class TestUpstream implements AutoCloseable {

    /** One request as the upstream received it. {@code bodyBytes} is final once the request's body has ended. */
    public static final class Received {
        public final int connection;
        public final String method;
        public final String uri;
        public final String version;
        public final List<Map.Entry<String, String>> headers;
        volatile long bodyBytes;
        /** The trailer fields of a chunked body, as received; empty when it had none. */
        volatile List<Map.Entry<String, String>> trailers = List.of();

        Received(int connection, HttpRequest r) {
            this.connection = connection;
            this.method = r.method().name();
            this.uri = r.uri();
            this.version = r.protocolVersion().text();
            List<Map.Entry<String, String>> h = new ArrayList<>();
            r.headers().forEach(e -> h.add(Map.entry(e.getKey(), e.getValue())));
            this.headers = List.copyOf(h);
        }

        /** The first value of a header (any case), or null. */
        public String header(String name) {
            for (Map.Entry<String, String> e : headers) if (e.getKey().equalsIgnoreCase(name)) return e.getValue();
            return null;
        }

        /** All values of a header (any case), in order. */
        public List<String> headers(String name) {
            List<String> out = new ArrayList<>();
            for (Map.Entry<String, String> e : headers) if (e.getKey().equalsIgnoreCase(name)) out.add(e.getValue());
            return out;
        }

        public long bodyBytes() {
            return bodyBytes;
        }

        public List<Map.Entry<String, String>> trailers() {
            return trailers;
        }

        @Override
        public String toString() {
            return method + " " + uri + " " + headers;
        }
    }

    private final String name;
    private final EventLoopGroup group = new NioEventLoopGroup(1);
    private final Channel listener;
    private final AtomicInteger connections = new AtomicInteger();
    private final io.netty.channel.group.ChannelGroup open =
            new io.netty.channel.group.DefaultChannelGroup(io.netty.util.concurrent.GlobalEventExecutor.INSTANCE);
    private final ConcurrentLinkedQueue<Received> requests = new ConcurrentLinkedQueue<>();
    /**
     * Every connection accepted and not yet closed, seen on the listener's own pipeline before it is registered: one
     * accepted just as the server stops may never reach its pipeline, and {@link #close} must close it too.
     */
    private final java.util.Set<Channel> accepted = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private TestUpstream(String name, String host, int port) {
        this.name = name;
        try {
            listener = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            if (msg instanceof Channel child) accepted.add(child);
                            ctx.fireChannelRead(msg);
                        }
                    })
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.closeFuture().addListener(f -> accepted.remove(ch));
                            open.add(ch);
                            ch.pipeline().addLast("http", new HttpServerCodec()).addLast("handler", new Handler(connections.incrementAndGet()));
                        }
                    })
                    .bind(host, port).syncUninterruptibly().channel();
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** Starts an upstream named {@code name} on a free port of 127.0.0.1. */
    public static TestUpstream start(String name) {
        return new TestUpstream(name, "127.0.0.1", 0);
    }

    public static TestUpstream start(String name, String host) {
        return new TestUpstream(name, host, 0);
    }

    /** Starts on a given port, e.g. one that a test found closed before. */
    public static TestUpstream start(String name, String host, int port) {
        return new TestUpstream(name, host, port);
    }

    public String name() {
        return name;
    }

    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** "127.0.0.1:PORT", as a server entry of an upstream group. */
    public String hostPort() {
        InetSocketAddress a = (InetSocketAddress) listener.localAddress();
        String host = a.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /** TCP connections accepted so far. */
    public int connections() {
        return connections.get();
    }

    /** Connections open right now. */
    public int openConnections() {
        return open.size();
    }

    /** Closes every accepted connection, as an upstream that times out idle keep-alive connections would. */
    public void closeConnections() {
        open.close().syncUninterruptibly();
    }

    public List<Received> requests() {
        return List.copyOf(requests);
    }

    public Received lastRequest() {
        Received last = null;
        for (Received r : requests) last = r;
        return last;
    }

    /**
     * Stops as a killed process would: the port refuses and every accepted connection closes, including one accepted
     * in the last moment before the listener closed (Netty's shutdown alone left such a connection open, unread).
     */
    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        group.submit(() -> {
            for (Channel ch : accepted) ch.unsafe().close(ch.unsafe().voidPromise());
        }).syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        for (Channel ch : accepted) {
            if (ch.isOpen()) throw new IllegalStateException("test upstream " + name + ": a connection stayed open after close: " + ch);
        }
    }

    private final class Handler extends ChannelInboundHandlerAdapter {
        private final int connection;
        private int served;
        private Received current;
        private QueryStringDecoder query;
        private boolean keepAlive;
        private boolean echoBody;
        private boolean upgrade;
        private final CRC32 crc = new CRC32();
        private long downloadLeft;
        private boolean downloadChunked;

        Handler(int connection) {
            this.connection = connection;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpRequest r) begin(ctx, r);
                if (msg instanceof HttpContent c) content(ctx, c);
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void begin(ChannelHandlerContext ctx, HttpRequest r) {
            current = new Received(connection, r);
            requests.add(current);
            query = new QueryStringDecoder(r.uri());
            if (served++ > 0 && "reused".equals(param("drop"))) {
                ctx.close();
                return;
            }
            keepAlive = HttpUtil.isKeepAlive(r) && !"1".equals(param("close"));
            crc.reset();
            upgrade = r.headers().contains(HttpHeaderNames.UPGRADE);
            if (HttpUtil.is100ContinueExpected(r)) {
                ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
            }
            echoBody = "body".equals(param("echo"));
            if (echoBody) {
                HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                HttpUtil.setTransferEncodingChunked(head, true);
                if (!keepAlive) head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.writeAndFlush(head);
            }
        }

        private void content(ChannelHandlerContext ctx, HttpContent c) {
            if (!ctx.channel().isActive()) return;
            Received r = current;
            ByteBuf data = c.content();
            r.bodyBytes += data.readableBytes();
            if (c instanceof LastHttpContent last && !last.trailingHeaders().isEmpty()) {
                List<Map.Entry<String, String>> t = new ArrayList<>();
                last.trailingHeaders().forEach(e -> t.add(Map.entry(e.getKey(), e.getValue())));
                r.trailers = List.copyOf(t);
            }
            if ("body".equals(param("count")) && data.isReadable()) {
                crc.update(data.nioBuffer());
            }
            if (echoBody) {
                if (c instanceof LastHttpContent) {
                    ctx.write(new DefaultHttpContent(data.retain()));
                    ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(after());
                } else if (data.isReadable()) {
                    ctx.writeAndFlush(new DefaultHttpContent(data.retain()));
                }
                return;
            }
            if (!(c instanceof LastHttpContent)) return;
            if (upgrade) {
                switchProtocols(ctx);
                return;
            }
            long delay = param("delay") == null ? 0 : Long.parseLong(param("delay"));
            if (delay > 0) {
                ctx.executor().schedule(() -> respond(ctx), delay, TimeUnit.MILLISECONDS);
            } else {
                respond(ctx);
            }
        }

        private void respond(ChannelHandlerContext ctx) {
            if (!ctx.channel().isActive()) return;
            if (param("download") != null) {
                downloadLeft = Long.parseLong(param("download"));
                downloadChunked = "1".equals(param("chunked"));
                HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                head.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM);
                if (downloadChunked) {
                    HttpUtil.setTransferEncodingChunked(head, true);
                } else {
                    HttpUtil.setContentLength(head, downloadLeft);
                }
                if (!keepAlive) head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                ctx.write(head);
                pump(ctx);
                return;
            }
            String body;
            if ("headers".equals(param("echo"))) {
                StringBuilder sb = new StringBuilder(current.method + " " + current.uri + " " + current.version + "\n");
                for (Map.Entry<String, String> e : current.headers) sb.append(e.getKey()).append(": ").append(e.getValue()).append('\n');
                body = sb.toString();
            } else if ("body".equals(param("count"))) {
                body = "bytes=" + current.bodyBytes + " crc=" + Long.toHexString(crc.getValue());
            } else {
                body = name;
            }
            HttpResponseStatus status = param("status") == null ? HttpResponseStatus.OK : HttpResponseStatus.valueOf(Integer.parseInt(param("status")));
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, status);
            head.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
            head.headers().set("X-Upstream", name);
            for (String pair : query.parameters().getOrDefault("set", List.of())) {
                int colon = pair.indexOf(':');
                head.headers().add(pair.substring(0, colon), pair.substring(colon + 1));
            }
            if (!keepAlive) head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            if ("1".equals(param("chunked"))) {
                HttpUtil.setTransferEncodingChunked(head, true);
                int half = bytes.length / 2;
                ctx.write(head);
                ctx.write(new DefaultHttpContent(Unpooled.wrappedBuffer(bytes, 0, half)));
                ctx.write(new DefaultHttpContent(Unpooled.wrappedBuffer(bytes, half, bytes.length - half)));
                ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(after());
            } else {
                HttpUtil.setContentLength(head, bytes.length);
                ctx.write(head);
                ctx.writeAndFlush(new io.netty.handler.codec.http.DefaultLastHttpContent(Unpooled.wrappedBuffer(bytes))).addListener(after());
            }
        }

        /** Writes the download while the channel takes it; resumes when it is writable again. */
        private void pump(ChannelHandlerContext ctx) {
            ByteBuf block = Unpooled.wrappedBuffer(Pattern.block());
            while (downloadLeft > 0 && ctx.channel().isWritable()) {
                int n = (int) Math.min(Pattern.BLOCK_SIZE, downloadLeft);
                downloadLeft -= n;
                ctx.write(new DefaultHttpContent(block.retainedSlice(0, n)));
            }
            if (downloadLeft == 0) {
                downloadLeft = -1;
                ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(after());
            } else {
                ctx.flush();
            }
            block.release();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (downloadLeft > 0 && ctx.channel().isWritable()) pump(ctx);
        }

        private ChannelFutureListener after() {
            return keepAlive ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE;
        }

        private void switchProtocols(ChannelHandlerContext ctx) {
            HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS);
            r.headers().set(HttpHeaderNames.UPGRADE, current.header("upgrade").toLowerCase(Locale.ROOT));
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
            String key = current.header("sec-websocket-key");
            if (key != null) r.headers().set(HttpHeaderNames.SEC_WEBSOCKET_ACCEPT, webSocketAccept(key));
            ctx.write(r);
            ctx.write(LastHttpContent.EMPTY_LAST_CONTENT);
            ctx.pipeline().replace(this, "echo", new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    ctx.writeAndFlush(msg);
                }
            });
            ctx.pipeline().remove("http"); // bytes it still holds go to the echo
            // In the same flush as the 101, so the proxy must pass on bytes that arrive right behind the response head.
            ctx.writeAndFlush(Unpooled.wrappedBuffer((name + " upgraded\n").getBytes(StandardCharsets.UTF_8)));
        }

        private static String webSocketAccept(String key) {
            try {
                byte[] sha1 = java.security.MessageDigest.getInstance("SHA-1")
                        .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII));
                return java.util.Base64.getEncoder().encodeToString(sha1);
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        private String param(String key) {
            List<String> v = query.parameters().get(key);
            return v == null || v.isEmpty() ? null : v.get(0);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
