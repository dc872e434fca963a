package io.graygate.proxy;

import io.graygate.testing.RawHttpClient;
import io.graygate.testing.TestUpstream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** What passes through and how: headers each way, framing, HEAD, 100-continue, upgrades, pipelining, the access log. */
class ProxyForwardingTest {

    @TempDir
    Path dir;

    TestUpstream production;
    TestUpstream gray;
    ProxyHarness proxy;

    @BeforeEach
    void start() {
        production = TestUpstream.start("production");
        gray = TestUpstream.start("gray");
        proxy = ProxyHarness.start(dir, ProxyHarness.twoGroups(production.hostPort(), gray.hostPort(), "", """
                proxy:
                  versionHeader: true
                  ioThreads: 1
                """));
    }

    @AfterEach
    void stop() {
        proxy.close();
        production.close();
        gray.close();
    }

    @Test
    void getIsAnsweredByTheStableUpstream() {
        HttpResponse<String> r = proxy.get("/hello");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("production");
        assertThat(r.headers().firstValue("x-graygate-version")).hasValue("production");
        assertThat(production.lastRequest().uri).isEqualTo("/hello");
    }

    @Test
    void keptAliveClientRequestsReuseOneUpstreamConnection() {
        try (RawHttpClient client = RawHttpClient.connect(proxy.address())) {
            for (int i = 0; i < 5; i++) {
                RawHttpClient.Response r = client.get("/n" + i, "example.test").read();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.bodyText()).isEqualTo("production");
            }
        }
        try (RawHttpClient other = RawHttpClient.connect(proxy.address())) {
            assertThat(other.get("/again", "example.test").read().bodyText()).isEqualTo("production");
        }

        assertThat(production.requests()).hasSize(6);
        assertThat(production.connections()).isEqualTo(1);
    }

    @Test
    void upstreamReceivesForwardingHeadersAndNoHopByHopHeaders() {
        try (RawHttpClient c = RawHttpClient.connect(proxy.address())) {
            RawHttpClient.Response r = c.send("GET /h?x=1 HTTP/1.1\r\n"
                    + "Host: app.test:8080\r\n"
                    + "Connection: keep-alive, X-Secret-Hop\r\n"
                    + "X-Secret-Hop: 1\r\n"
                    + "Keep-Alive: timeout=5\r\n"
                    + "TE: trailers\r\n"
                    + "Trailer: X-Checksum\r\n"
                    + "Upgrade: h2c\r\n"
                    + "Proxy-Authorization: Basic Zm9vOmJhcg==\r\n"
                    + "Proxy-Connection: keep-alive\r\n"
                    + "X-Forwarded-For: 203.0.113.9\r\n"
                    + "X-Real-IP: 198.51.100.1\r\n"
                    + "X-Kept: yes\r\n"
                    + "\r\n").read();
            assertThat(r.status()).isEqualTo(200);
        }
        TestUpstream.Received got = production.lastRequest();
        assertThat(got.uri).isEqualTo("/h?x=1");
        assertThat(got.version).isEqualTo("HTTP/1.1");
        assertThat(got.header("host")).isEqualTo("app.test:8080");
        assertThat(got.headers("x-forwarded-for")).containsExactly("203.0.113.9, 127.0.0.1");
        assertThat(got.headers("x-real-ip")).containsExactly("127.0.0.1"); // no trusted proxies: the peer is the client
        assertThat(got.headers("x-forwarded-proto")).containsExactly("http");
        assertThat(got.header("x-kept")).isEqualTo("yes");
        for (String hop : new String[] {"connection", "x-secret-hop", "keep-alive", "te", "trailer", "upgrade",
                "proxy-authorization", "proxy-connection", "transfer-encoding"}) {
            assertThat(got.header(hop)).as(hop).isNull();
        }
    }

    @Test
    void severalConnectionLinesAllNameHopByHopHeadersAndSeveralForwardedForLinesAreJoined() {
        try (RawHttpClient c = RawHttpClient.connect(proxy.address())) {
            RawHttpClient.Response r = c.send("GET /h2 HTTP/1.1\r\n"
                    + "Host: app.test\r\n"
                    + "Connection: Keep-Alive\r\n"
                    + "Connection: X-Hop-A ,x-hop-b, CLOSE\r\n"
                    + "X-Hop-A: 1\r\n"
                    + "X-Hop-B: 2\r\n"
                    + "Close: 3\r\n"
                    + "Keep-Alive: timeout=5\r\n"
                    + "X-Forwarded-For: 203.0.113.9\r\n"
                    + "X-Forwarded-For: 198.51.100.7, 192.0.2.1\r\n"
                    + "X-Kept: yes\r\n"
                    + "\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("connection")).isEqualTo("close"); // the client asked to close
        }
        TestUpstream.Received got = production.lastRequest();
        assertThat(got.headers("x-forwarded-for")).containsExactly("203.0.113.9, 198.51.100.7, 192.0.2.1, 127.0.0.1");
        assertThat(got.header("x-kept")).isEqualTo("yes");
        for (String hop : new String[] {"connection", "x-hop-a", "x-hop-b", "close", "keep-alive"}) {
            assertThat(got.header(hop)).as(hop).isNull();
        }
    }

    @Test
    void clientReceivesNoHopByHopHeadersFromTheUpstream() {
        try (RawHttpClient c = RawHttpClient.connect(proxy.address())) {
            RawHttpClient.Response r = c.get("/r?set=Connection:X-Up-Hop&set=X-Up-Hop:1&set=Keep-Alive:timeout%3D5"
                    + "&set=Proxy-Authenticate:Basic&set=X-Up-Kept:1", "app.test").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("x-up-kept")).isEqualTo("1");
            assertThat(r.header("x-up-hop")).isNull();
            assertThat(r.header("keep-alive")).isNull();
            assertThat(r.header("proxy-authenticate")).isNull();
            assertThat(r.header("connection")).isNull();
            // still kept alive
            assertThat(c.get("/again", "app.test").read().bodyText()).isEqualTo("production");
        }
    }

    @Test
    void configuredUpstreamHostReplacesTheClientsHost(@TempDir Path ownDir) {
        try (ProxyHarness p = ProxyHarness.start(ownDir, ProxyHarness.twoGroups(production.hostPort(), gray.hostPort(),
                "upstreamHost: internal.example:8443", ""));
             RawHttpClient c = RawHttpClient.connect(p.address())) {
            assertThat(c.get("/x", "public.example").read().status()).isEqualTo(200);
        }
        assertThat(production.lastRequest().header("host")).isEqualTo("internal.example:8443");
    }

    @Test
    void http10ClientWithoutHostIsAnsweredAndClosed() {
        try (RawHttpClient c = RawHttpClient.connect(proxy.address())) {
            RawHttpClient.Response r = c.send("GET /old?chunked=1 HTTP/1.0\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("transfer-encoding")).isNull(); // HTTP/1.0 knows no chunks: the body ends at close
            assertThat(r.bodyText()).isEqualTo("production");
        }
        assertThat(production.lastRequest().version).isEqualTo("HTTP/1.1");
        assertThat(production.lastRequest().header("host")).isEqualTo(production.hostPort());
    }

    @Test
    void headGetsTheHeadOnlyAndTheConnectionStaysUsable() {
        try (RawHttpClient c = RawHttpClient.connect(proxy.address())) {
            RawHttpClient.Response head = c.send("HEAD /h HTTP/1.1\r\nHost: app.test\r\n\r\n").read(true);
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("content-length")).isEqualTo(String.valueOf("production".length()));
            RawHttpClient.Response next = c.get("/after-head", "app.test").read();
            assertThat(next.bodyText()).isEqualTo("production");
        }
        assertThat(production.requests()).extracting(r -> r.method).containsExactly("HEAD", "GET");
    }

    @Test
    void responseThatStartsBeforeTheRequestBodyEndsKeepsTheConnectionWhenTheBodyEndsFirst() {
        try (RawHttpClient c = RawHttpClient.connect(proxy.address())) {
            c.send("POST /e?echo=body HTTP/1.1\r\nHost: app.test\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
            RawHttpClient.Response head = c.readHead(); // the upstream answers as soon as it has the request head
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("connection")).isNull();
            c.send("7\r\n, world\r\n0\r\n\r\n");
            assertThat(new String(c.readChunkedBody(), StandardCharsets.UTF_8)).isEqualTo("hello, world");
            assertThat(c.get("/next", "app.test").read().bodyText()).isEqualTo("production");
        }
    }

    @Test
    void chunkedRequestAndResponseStreamThrough() {
        try (RawHttpClient c = RawHttpClient.connect(proxy.address())) {
            c.send("POST /e?echo=body HTTP/1.1\r\nHost: app.test\r\nTransfer-Encoding: chunked\r\n\r\n");
            c.send("5\r\nhello\r\n");
            c.send("7\r\n, world\r\n0\r\n\r\n");
            RawHttpClient.Response r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("transfer-encoding")).isEqualTo("chunked");
            assertThat(r.bodyText()).isEqualTo("hello, world");
            RawHttpClient.Response chunkedOnly = c.get("/c?chunked=1", "app.test").read();
            assertThat(chunkedOnly.header("transfer-encoding")).isEqualTo("chunked");
            assertThat(chunkedOnly.bodyText()).isEqualTo("production");
        }
        TestUpstream.Received post = production.requests().get(0);
        assertThat(post.header("transfer-encoding")).isEqualTo("chunked");
        assertThat(post.bodyBytes()).isEqualTo(12);
    }

    @Test
    void expectContinueIsAnsweredByTheUpstreamsInterimResponse() {
        try (RawHttpClient c = RawHttpClient.connect(proxy.address())) {
            c.send("PUT /u?count=body HTTP/1.1\r\nHost: app.test\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
            RawHttpClient.Response interim = c.read(true);
            assertThat(interim.status()).isEqualTo(100);
            c.send("abcde");
            RawHttpClient.Response r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).startsWith("bytes=5 ");
            assertThat(c.get("/next", "app.test").read().bodyText()).isEqualTo("production");
        }
        assertThat(production.requests().get(0).header("expect")).isEqualTo("100-continue");
    }

    @Test
    void webSocketUpgradeRelaysRawBytesBothWays() {
        try (RawHttpClient c = RawHttpClient.connect(proxy.address())) {
            c.send("GET /ws HTTP/1.1\r\nHost: app.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
            RawHttpClient.Response switched = c.read(true);
            assertThat(switched.status()).isEqualTo(101);
            assertThat(switched.header("upgrade")).isEqualTo("websocket");
            assertThat(switched.header("connection")).isEqualToIgnoringCase("upgrade");
            assertThat(switched.header("sec-websocket-accept")).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="); // RFC 6455's example
            assertThat(new String(c.readBytes("production upgraded\n".length()))).isEqualTo("production upgraded\n");
            byte[] frame = {(byte) 0x81, 0x04, 'p', 'i', 'n', 'g', 0, (byte) 0xFF};
            c.send(frame);
            assertThat(c.readBytes(frame.length)).isEqualTo(frame);
            c.send("more bytes");
            assertThat(new String(c.readBytes(10))).isEqualTo("more bytes");
        }
        TestUpstream.Received got = production.lastRequest();
        assertThat(got.header("upgrade")).isEqualTo("websocket");
        assertThat(got.header("connection")).isEqualToIgnoringCase("upgrade");
        assertThat(got.header("sec-websocket-key")).isEqualTo("dGhlIHNhbXBsZSBub25jZQ==");
    }

    @Test
    void upgradeWhoseAnswerLooksLikeAnOldHandshakeStillRelaysBytes() {
        // Without Sec-WebSocket-Accept, Netty's client decoder takes the bytes behind a 101 for its body.
        try (RawHttpClient c = RawHttpClient.connect(proxy.address())) {
            c.send("GET /ws HTTP/1.1\r\nHost: app.test\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n");
            assertThat(c.read(true).status()).isEqualTo(101);
            assertThat(new String(c.readBytes("production upgraded\n".length()))).isEqualTo("production upgraded\n");
            c.send("ping");
            assertThat(new String(c.readBytes(4))).isEqualTo("ping");
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() {
        try (RawHttpClient c = RawHttpClient.connect(proxy.address())) {
            c.send("GET /p1?delay=50 HTTP/1.1\r\nHost: a\r\n\r\nGET /p2?echo=headers HTTP/1.1\r\nHost: b\r\n\r\nGET /p3 HTTP/1.1\r\nHost: c\r\n\r\n");
            assertThat(c.read().bodyText()).isEqualTo("production");
            assertThat(c.read().bodyText()).startsWith("GET /p2?echo=headers HTTP/1.1\n");
            assertThat(c.read().bodyText()).isEqualTo("production");
        }
        assertThat(production.requests()).extracting(r -> r.uri).containsExactly("/p1?delay=50", "/p2?echo=headers", "/p3");
    }

    @Test
    void clientThatShutsItsOutputAfterItsRequestsStillGetsEveryAnswerThenTheClose() throws Exception {
        try (RawHttpClient c = RawHttpClient.connect(proxy.address())) {
            c.send("GET /h1?delay=50 HTTP/1.1\r\nHost: a\r\n\r\nGET /h2 HTTP/1.1\r\nHost: b\r\n\r\n");
            c.socket().shutdownOutput(); // the end of the client's input reaches the proxy while /h1 is in hand

            assertThat(c.read().bodyText()).isEqualTo("production");
            assertThat(c.read().bodyText()).isEqualTo("production");
            assertThat(c.closedByServer()).isTrue();
        }
        assertThat(production.requests()).extracting(r -> r.uri).containsExactly("/h1?delay=50", "/h2");
    }

    @Test
    void eachRequestIsWrittenToTheAccessLog() {
        ch.qos.logback.classic.Logger access = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("graygate.access");
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines = new ch.qos.logback.core.read.ListAppender<>();
        lines.start();
        access.addAppender(lines);
        try {
            assertThat(proxy.get("/logged?q=1").statusCode()).isEqualTo(200);
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
            while (lines.list.stream().noneMatch(e -> e.getFormattedMessage().contains("/logged")) && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertThat(lines.list).extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                    .anySatisfy(line -> assertThat(line)
                            .startsWith("route=demo version=production rule=(baseline) upstream=" + production.hostPort() + " status=200 ms=")
                            .endsWith(" client=127.0.0.1 method=GET path=/logged?q=1"));
        } finally {
            access.detachAppender(lines);
        }
    }
}

