package io.graygate.proxy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.graygate.testing.Http2TestClient;
import io.graygate.testing.RawHttpClient;
import io.graygate.testing.TestCertificates;
import io.graygate.testing.TlsProbe;
import io.graygate.testing.TestUpstream;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every buffer is released on every path: Netty's leak detector watches each buffer (paranoid level) while requests
 * go through the happy path and every error path, and reports no leak once the garbage is collected.
 */
class BufferLeakTest {

    @TempDir
    Path dir;

    private ResourceLeakDetector.Level previous;
    private final ListAppender<ILoggingEvent> reports = new ListAppender<>();
    private Logger detectorLog;

    @BeforeEach
    void watchEveryBuffer() {
        previous = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        detectorLog = (Logger) LoggerFactory.getLogger(ResourceLeakDetector.class);
        reports.start();
        detectorLog.addAppender(reports);
    }

    @AfterEach
    void restore() {
        detectorLog.detachAppender(reports);
        ResourceLeakDetector.setLevel(previous);
    }

    @Test
    void noPathThroughTheProxyLeaksABuffer() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        try (TestUpstream production = TestUpstream.start("production");
             ProxyHarness p = ProxyHarness.start(dir, ProxyHarness.twoGroups(production.hostPort(), "127.0.0.1:" + closed, """
                     whitelist: [127.0.0.2]
                     """, """
                     proxy:
                       responseTimeout: 200ms
                     """))) {
            for (int round = 0; round < 3; round++) {
                everyPath(p);
                System.gc();
                Thread.sleep(50);
            }
            everyPath(p); // allocations after the collections are when the detector reports
        }
        assertThat(reports.list).extracting(ILoggingEvent::getFormattedMessage).noneMatch(m -> m.contains("LEAK"));
    }

    @Test
    void noPathThroughTlsAndHttp2LeaksABuffer() throws Exception {
        TestCertificates.Pair cert = TestCertificates.issue(dir, "leak", "leak.test");
        try (TestUpstream production = TestUpstream.start("production");
             ProxyHarness p = ProxyHarness.start(dir, """
                     listeners:
                       - address: 127.0.0.1:0
                         tls: {certificates: [%s]}
                     upstreams:
                       production: {servers: ["%s"]}
                     routes:
                       - {name: app, stable: production, gray: production}
                     """.formatted(cert.yaml(), production.hostPort()))) {
            for (int round = 0; round < 3; round++) {
                everyHttp2Path(p);
                System.gc();
                Thread.sleep(50);
            }
            everyHttp2Path(p);
        }
        assertThat(reports.list).extracting(ILoggingEvent::getFormattedMessage).noneMatch(m -> m.contains("LEAK"));
    }

    private static void everyHttp2Path(ProxyHarness p) throws Exception {
        String authority = "leak.test:" + p.address().getPort();
        try (Http2TestClient c = Http2TestClient.connect(p.address(), "leak.test")) {
            Http2TestClient.Stream get = c.request("GET", "/g", authority, true);
            Http2TestClient.Stream echo = c.request("POST", "/e?echo=body", authority, false);
            echo.send("hello");
            Http2TestClient.Stream big = c.request("GET", "/big?download=300000", authority, true);
            Http2TestClient.Stream up = c.request("PUT", "/u?count=body", authority, false);
            up.upload(200000);
            Http2TestClient.Stream cut = c.request("GET", "/cut?download=50000000", authority, true);
            Http2TestClient.Stream half = c.request("PUT", "/half?count=body", authority, false);
            half.sendPart("never ends");
            assertThat(get.done().get(10, TimeUnit.SECONDS).bodyText()).isEqualTo("production");
            assertThat(echo.done().get(10, TimeUnit.SECONDS).bodyText()).isEqualTo("hello");
            assertThat(big.done().get(10, TimeUnit.SECONDS).bodyBytes()).isEqualTo(300000);
            assertThat(up.done().get(10, TimeUnit.SECONDS).bodyText()).startsWith("bytes=200000 ");
            cut.head().get(10, TimeUnit.SECONDS);
            cut.reset();
            half.reset();
        }
        try (TlsProbe h1 = TlsProbe.connect(p.address(), "leak.test", "http/1.1")) {
            assertThat(h1.exchange("GET /h1 HTTP/1.1\r\nHost: leak.test\r\n\r\n")).endsWith("production");
        }
    }

    private static void everyPath(ProxyHarness p) throws IOException {
        try (RawHttpClient c = RawHttpClient.connect(p.address())) {
            assertThat(c.get("/plain", "a").read().status()).isEqualTo(200);
            assertThat(c.send("POST /e?echo=body HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n").read().bodyText()).isEqualTo("hello");
            assertThat(c.send("POST /c?count=body HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc").read().status()).isEqualTo(200);
            assertThat(c.send("HEAD /h HTTP/1.1\r\nHost: a\r\n\r\n").read(true).status()).isEqualTo(200);
            assertThat(c.get("/big?download=300000&chunked=1", "a").read().body()).hasSize(300000);
            assertThat(c.get("/slow?delay=1000", "a").read().status()).isEqualTo(504);
            c.send("PUT /u?count=body HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n");
            assertThat(c.read(true).status()).isEqualTo(100);
            assertThat(c.send("ok").read().status()).isEqualTo(200);
        }
        try (RawHttpClient gray = RawHttpClient.connect(p.address(), "127.0.0.2")) { // gray is down: 502, body discarded
            assertThat(gray.send("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nbody").read().status()).isEqualTo(502);
        }
        try (RawHttpClient c = RawHttpClient.connect(p.address())) {
            assertThat(c.send("POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nzz\r\n").read().status()).isEqualTo(400);
        }
        try (RawHttpClient c = RawHttpClient.connect(p.address())) {
            c.send("GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
            assertThat(c.read(true).status()).isEqualTo(101);
            c.readBytes("production upgraded\n".length());
            c.send("ping");
            assertThat(new String(c.readBytes(4))).isEqualTo("ping");
        }
        try (RawHttpClient c = RawHttpClient.connect(p.address())) { // the client leaves in the middle of a download
            c.get("/big?download=50000000", "a").readHead();
            c.readBytes(100000);
        }
        try (RawHttpClient c = RawHttpClient.connect(p.address())) { // pipelined, the last one cut short
            c.send("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\nPOST /3 HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc");
            assertThat(c.read().status()).isEqualTo(200);
            assertThat(c.read().status()).isEqualTo(200);
        }
    }
}
