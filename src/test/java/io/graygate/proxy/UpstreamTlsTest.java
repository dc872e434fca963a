package io.graygate.proxy;

import io.graygate.testing.RawHttpClient;
import io.graygate.testing.TestCertificates;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** https:// upstream servers: verified against the JVM trust store, a CA file, or not at all; SNI sent. */
class UpstreamTlsTest {

    @TempDir
    Path dir;

    private String config(String server, String tls) {
        return """
                upstreams:
                  production: {servers: ["%s"]%s}
                routes:
                  - {name: demo, stable: production, gray: production}
                proxy: {ioThreads: 1, nextUpstream: [off]}
                """.formatted(server, tls.isEmpty() ? "" : ", tls: " + tls);
    }

    @Test
    void anHttpsServerIsVerifiedAgainstTheCaFileAndGetsTheHostAsSni() throws Exception {
        TestCertificates.Pair cert = TestCertificates.issue(dir, "upstream", "localhost");
        try (TlsUpstream up = new TlsUpstream(cert)) {
            String https = "https://localhost:" + up.port();
            try (ProxyHarness p = ProxyHarness.start(dir, config(https, "{ca: \"" + cert.cert() + "\"}"));
                 RawHttpClient c = RawHttpClient.connect(p.address())) {
                RawHttpClient.Response r = c.get("/hello", "app.test").read();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.bodyText()).isEqualTo("tls GET /hello");
                assertThat(c.get("/again", "app.test").read().bodyText()).isEqualTo("tls GET /again");
                assertThat(up.sni).containsExactly("localhost"); // one TLS connection, kept alive
            }
            try (ProxyHarness p = ProxyHarness.start(dir, config(https, ""));
                 RawHttpClient c = RawHttpClient.connect(p.address())) {
                RawHttpClient.Response r = c.get("/", "app.test").read();
                assertThat(r.status()).as("self-signed: not in the JVM trust store").isEqualTo(502);
                assertThat(r.bodyText()).contains("TLS handshake failed: PKIX path building failed");
            }
            try (ProxyHarness p = ProxyHarness.start(dir, config(https, "{verify: false}"));
                 RawHttpClient c = RawHttpClient.connect(p.address())) {
                assertThat(c.get("/", "app.test").read().bodyText()).isEqualTo("tls GET /");
            }
            try (ProxyHarness p = ProxyHarness.start(dir, config("https://127.0.0.1:" + up.port(), "{ca: \"" + cert.cert() + "\"}"));
                 RawHttpClient c = RawHttpClient.connect(p.address())) {
                RawHttpClient.Response r = c.get("/", "app.test").read();
                assertThat(r.status()).as("the certificate names localhost, not 127.0.0.1").isEqualTo(502);
                assertThat(r.bodyText()).contains("TLS handshake failed: No subject alternative names matching IP address 127.0.0.1 found");
            }
        }
    }

    /** A TLS HTTP server answering "tls METHOD PATH", recording the SNI name of each handshake. */
    private static final class TlsUpstream implements AutoCloseable {
        final ConcurrentLinkedQueue<String> sni = new ConcurrentLinkedQueue<>();
        private final EventLoopGroup group = new NioEventLoopGroup(1);
        private final Channel listener;

        TlsUpstream(TestCertificates.Pair cert) throws Exception {
            SslContext ctx = SslContextBuilder.forServer(cert.cert().toFile(), cert.key().toFile()).sslProvider(SslProvider.JDK).build();
            listener = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline()
                                    .addLast(new SniHandler(host -> {
                                        sni.add(String.valueOf(host));
                                        return ctx;
                                    }))
                                    .addLast(new HttpServerCodec())
                                    .addLast(new HttpObjectAggregator(65536))
                                    .addLast(new SimpleChannelInboundHandler<FullHttpRequest>() {
                                        @Override
                                        protected void channelRead0(ChannelHandlerContext c, FullHttpRequest r) {
                                            byte[] body = ("tls " + r.method() + " " + r.uri()).getBytes(StandardCharsets.UTF_8);
                                            DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                                                    HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
                                            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
                                            c.writeAndFlush(response);
                                        }

                                        @Override
                                        public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
                                            c.close(); // the handshakes this test expects to fail
                                        }
                                    });
                        }
                    })
                    .bind("127.0.0.1", 0).syncUninterruptibly().channel();
        }

        int port() {
            return ((InetSocketAddress) listener.localAddress()).getPort();
        }

        @Override
        public void close() {
            listener.close().syncUninterruptibly();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

}
