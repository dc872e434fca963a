package io.graygate.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

/**
 * An HTTP/2 client over TLS (ALPN h2) for tests, on Netty's own HTTP/2 codec: one connection, any number of
 * concurrent streams, each with the request head, a body written with back-pressure, and the response counted
 * (bytes and CRC-32) as it arrives, so a 1 GiB body never sits in memory. {@link Stream#reset()} sends RST_STREAM.
 */
public final class Http2TestClient implements AutoCloseable {

    private final EventLoopGroup group;
    private final Channel connection;

    private Http2TestClient(EventLoopGroup group, Channel connection) {
        this.group = group;
        this.connection = connection;
    }

    /** Connects with TLS, naming {@code sniName}, and fails unless the server chose h2. */
    public static Http2TestClient connect(InetSocketAddress at, String sniName) throws Exception {
        SslContext tls = SslContextBuilder.forClient()
                .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
                .trustManager(InsecureTrustManagerFactory.INSTANCE)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, ApplicationProtocolNames.HTTP_2))
                .build();
        EventLoopGroup group = new NioEventLoopGroup(1);
        try {
            SslHandler ssl = tls.newHandler(io.netty.buffer.ByteBufAllocator.DEFAULT, sniName, at.getPort());
            Channel ch = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel c) {
                            c.pipeline().addLast(ssl)
                                    .addLast(Http2FrameCodecBuilder.forClient()
                                            .initialSettings(Http2Settings.defaultSettings().initialWindowSize(1 << 20))
                                            .build())
                                    .addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                        }
                    })
                    .connect(at).sync().channel();
            ssl.handshakeFuture().sync();
            if (!ApplicationProtocolNames.HTTP_2.equals(ssl.applicationProtocol())) {
                ch.close();
                throw new IOException("the server chose " + ssl.applicationProtocol() + ", not h2");
            }
            return new Http2TestClient(group, ch);
        } catch (Exception e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** Opens a stream and sends its request head; the body, if any, follows through {@link Stream#upload} or {@link Stream#end}. */
    public Stream request(String method, String path, String authority, boolean endOfRequest) throws InterruptedException {
        Stream s = new Stream();
        Http2StreamChannel ch = new Http2StreamChannelBootstrap(connection).handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel c) {
                c.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false)).addLast(s);
            }
        }).open().sync().getNow();
        s.channel = ch;
        HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), path);
        head.headers().set(HttpHeaderNames.HOST, authority);
        head.headers().set(io.netty.handler.codec.http2.HttpConversionUtil.ExtensionHeaderNames.SCHEME.text(), "https");
        ch.write(head);
        if (endOfRequest) ch.write(LastHttpContent.EMPTY_LAST_CONTENT);
        ch.flush();
        return s;
    }

    /** Whether the TCP connection is still open (an RST_STREAM must not close it). */
    public boolean isOpen() {
        return connection.isActive();
    }

    @Override
    public void close() {
        connection.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    /** One stream: the response as it comes (status, byte count, CRC, the first 64 KiB as text). */
    public static final class Stream extends ChannelInboundHandlerAdapter {
        private final CompletableFuture<HttpResponse> head = new CompletableFuture<>();
        private final CompletableFuture<Stream> done = new CompletableFuture<>();
        private final CRC32 crc = new CRC32();
        private final StringBuilder text = new StringBuilder();
        private volatile long received;
        private volatile boolean reset;
        private Http2StreamChannel channel;
        private long uploadLeft;
        private volatile long uploaded;

        public CompletableFuture<HttpResponse> head() {
            return head;
        }

        /** Completes when the response has ended, or fails when the stream was reset or closed before that. */
        public CompletableFuture<Stream> done() {
            return done;
        }

        public int status() {
            return head.join().status().code();
        }

        public long bodyBytes() {
            return received;
        }

        public long bodyCrc() {
            synchronized (crc) {
                return crc.getValue();
            }
        }

        public String bodyText() {
            synchronized (text) {
                return text.toString();
            }
        }

        public boolean wasReset() {
            return reset;
        }

        /** Sends {@code bytes} of {@link Pattern} as the request body, then its end, as fast as flow control lets it. */
        public void upload(long bytes) {
            channel.eventLoop().execute(() -> {
                uploadLeft = bytes;
                pump();
            });
        }

        /** Bytes of an {@link #upload} handed to the connection so far: what the stream's flow-control window has let out. */
        public long uploaded() {
            return uploaded;
        }

        /** Sends these bytes as the whole request body. */
        public void send(String body) {
            channel.write(new DefaultHttpContent(Unpooled.copiedBuffer(body, StandardCharsets.UTF_8)));
            channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        }

        /** Sends these bytes as part of the request body, leaving it open. */
        public void sendPart(String part) {
            channel.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(part, StandardCharsets.UTF_8)));
        }

        /** RST_STREAM (CANCEL): closing a stream channel before both sides ended resets it. */
        public void reset() {
            channel.close().syncUninterruptibly();
        }

        private void pump() {
            if (uploadLeft < 0) return;
            ByteBuf block = Unpooled.wrappedBuffer(Pattern.block());
            while (uploadLeft > 0 && channel.isWritable()) {
                int n = (int) Math.min(Pattern.BLOCK_SIZE, uploadLeft);
                uploadLeft -= n;
                uploaded += n;
                channel.write(new DefaultHttpContent(block.retainedSlice(0, n)));
            }
            block.release();
            if (uploadLeft == 0) {
                uploadLeft = -1;
                channel.write(LastHttpContent.EMPTY_LAST_CONTENT);
            }
            channel.flush();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (ctx.channel().isWritable()) pump();
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpResponse r) {
                    if (r.status().code() >= 200) head.complete(r);
                }
                if (msg instanceof HttpContent c && head.isDone()) {
                    ByteBuf b = c.content();
                    received += b.readableBytes();
                    synchronized (crc) {
                        crc.update(b.nioBuffer());
                    }
                    synchronized (text) {
                        if (text.length() < 65536) text.append(b.toString(StandardCharsets.UTF_8));
                    }
                    if (msg instanceof LastHttpContent) done.complete(this);
                }
            } finally {
                io.netty.util.ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof Http2ResetFrame) reset = true;
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            IOException gone = new IOException("stream closed before the response ended" + (reset ? " (reset by the server)" : ""));
            head.completeExceptionally(gone);
            done.completeExceptionally(gone);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            head.completeExceptionally(cause);
            done.completeExceptionally(cause);
            ctx.close();
        }
    }
}
