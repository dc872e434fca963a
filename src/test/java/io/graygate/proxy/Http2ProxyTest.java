package io.graygate.proxy;

import ch.qos.logback.classic.Level;
import io.graygate.testing.Curl;
import io.graygate.testing.Http2TestClient;
import io.graygate.testing.LogCapture;
import io.graygate.testing.Polling;
import io.graygate.testing.RawUpstream;
import io.graygate.testing.TestCertificates;
import io.graygate.testing.TestUpstream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** HTTP/2 clients on a TLS listener, proxied stream by stream to HTTP/1.1 upstreams. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class Http2ProxyTest {

    @TempDir
    static Path dir;

    static TestUpstream production;
    static TestUpstream gray;
    static TestCertificates.Pair cert;
    static ProxyHarness proxy;
    /** An upstream that takes a request's head and then reads nothing of its body until {@link #stallOver} opens. */
    static ServerSocket stalling;
    static final CountDownLatch stallOver = new CountDownLatch(1);
    static final AtomicLong stalledBodyBytes = new AtomicLong();

    @BeforeAll
    static void start() throws Exception {
        stalling = new ServerSocket();
        stalling.setReceiveBufferSize(64 << 10); // accepted sockets take it: a small window, so the gateway's writes fill up soon
        stalling.bind(new InetSocketAddress("127.0.0.1", 0));
        Thread t = new Thread(Http2ProxyTest::stallThenRead, "stalling-upstream");
        t.setDaemon(true);
        t.start();
        production = TestUpstream.start("production");
        gray = TestUpstream.start("gray");
        cert = TestCertificates.issue(dir, "h2", "h2.test");
        proxy = ProxyHarness.start(dir, """
                listeners:
                  - address: 127.0.0.1:0
                    tls: {certificates: [%s]}
                clientIp: {trustedProxies: [127.0.0.1/32]}
                upstreams:
                  production: {servers: ["%s"]}
                  gray: {servers: ["%s"]}
                  stalling: {servers: ["127.0.0.1:%d"]}
                routes:
                  - {name: app, stable: production, gray: gray, whitelist: ["10.9.9.9"]}
                  - {name: stall, pathPrefix: /stall, stable: stalling, gray: stalling}
                proxy: {versionHeader: true, responseTimeout: 120s}
                """.formatted(cert.yaml(), production.hostPort(), gray.hostPort(), stalling.getLocalPort()));
    }

    /** One exchange: reads the head, waits for the latch, then reads the chunked body to its last chunk and answers. */
    private static void stallThenRead() {
        try (Socket s = stalling.accept()) {
            InputStream in = s.getInputStream();
            if (RawUpstream.readHead(in) == null) return;
            stallOver.await();
            byte[] buf = new byte[65536];
            byte[] tail = new byte[5]; // the last five bytes read, across reads
            byte[] last = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            for (int n; (n = in.read(buf)) > 0; ) {
                stalledBodyBytes.addAndGet(n);
                int k = Math.min(n, tail.length);
                System.arraycopy(tail, k, tail, 0, tail.length - k);
                System.arraycopy(buf, n - k, tail, tail.length - k, k);
                if (Arrays.equals(tail, last)) break;
            }
            s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nread".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            in.read(); // until the gateway closes or pools the connection
        } catch (IOException | InterruptedException e) {
            // the test reports what it did not get
        }
    }

    @AfterAll
    static void stop() throws IOException {
        stallOver.countDown();
        if (stalling != null) stalling.close();
        if (proxy != null) proxy.close();
        if (production != null) production.close();
        if (gray != null) gray.close();
    }

    static Http2TestClient client() throws Exception {
        return Http2TestClient.connect(proxy.address(), "h2.test");
    }

    static String authority() {
        return "h2.test:" + proxy.address().getPort();
    }

    @Test
    void oneHundredConcurrentStreamsOnOneConnectionAreDecidedLoggedAndAnsweredEachAsAnExchange() throws Exception {
        try (Http2TestClient c = client(); LogCapture access = LogCapture.of(Level.INFO, AsyncAccessLog.LOGGER)) {
            int before = production.requests().size();
            List<Http2TestClient.Stream> streams = new ArrayList<>();
            for (int i = 0; i < 100; i++) streams.add(c.request("GET", "/many?delay=300&i=" + i, authority(), true));
            for (Http2TestClient.Stream s : streams) s.done().get(30, TimeUnit.SECONDS);
            for (Http2TestClient.Stream s : streams) {
                assertThat(s.status()).isEqualTo(200);
                assertThat(s.bodyText()).isEqualTo("production");
                assertThat(s.head().join().headers().get("x-graygate-version")).isEqualTo("production");
            }
            assertThat(production.requests().size() - before).isEqualTo(100);
            // the streams were in flight together: 100 requests that each wait 300 ms needed many upstream connections
            assertThat(production.connections()).as("upstream connections for concurrent streams").isGreaterThan(10);
            Polling.await("100 access-log lines", Duration.ofSeconds(10),
                    () -> access.lines().stream().filter(l -> l.contains("route=app version=production") && l.contains("path=/many?delay=300")).count() == 100);
        }
    }

    @Test
    void anAuthorityThatIsNotAValidHostIs400AsAnHttp1HostWouldBe() throws Exception {
        try (Http2TestClient c = client()) {
            Http2TestClient.Stream s = c.request("GET", "/bad-authority", "h2 .test", true);
            s.done().get(10, TimeUnit.SECONDS);
            assertThat(s.status()).isEqualTo(400);
            assertThat(s.bodyText()).isEqualTo("400 Bad Request: invalid Host \"h2 .test\"\n");
            assertThat(c.isOpen()).isTrue(); // one stream refused, the connection goes on
            Http2TestClient.Stream ok = c.request("GET", "/good-authority", authority(), true);
            ok.done().get(10, TimeUnit.SECONDS);
            assertThat(ok.status()).isEqualTo(200);
        }
        assertThat(production.requests()).extracting(r -> r.uri).doesNotContain("/bad-authority");
    }

    @Test
    void theGrayDecisionIsTheSameAsForHttp1() throws Exception {
        try (Http2TestClient c = client()) {
            Http2TestClient.Stream s = c.request("GET", "/who", authority(), false);
            s.send(""); // an empty body: the request ends with a DATA frame, not with the HEADERS
            s.done().get(10, TimeUnit.SECONDS);
            assertThat(s.bodyText()).isEqualTo("production");
        }
        Curl.Result r = Curl.run("--http2", "--cacert", cert.cert().toString(), "--resolve", authority() + ":127.0.0.1",
                "-H", "X-Real-IP: 10.9.9.9", "-w", " %{http_version}", "https://" + authority() + "/who");
        assertThat(r.out()).isEqualTo("gray 2");
        assertThat(gray.lastRequest().header("x-real-ip")).isEqualTo("10.9.9.9");
        assertThat(gray.lastRequest().version).isEqualTo("HTTP/1.1");
    }

    @Test
    void bodiesStreamBothWaysAndAnExpectContinueGetsItsInterimResponse() throws Exception {
        byte[] body = new byte[3 << 20];
        new Random(7).nextBytes(body);
        Path file = Files.write(dir.resolve("body.bin"), body);
        Path out = dir.resolve("echoed.bin");
        for (String expect : List.of("Expect:", "Expect: 100-continue")) {
            Curl.Result r = Curl.run("--http2", "--cacert", cert.cert().toString(), "--resolve", authority() + ":127.0.0.1",
                    "-H", expect, "--data-binary", "@" + file, "-o", out.toString(), "-w", "%{http_code} %{http_version}",
                    "https://" + authority() + "/up?echo=body");
            assertThat(r.ok()).as(r.err()).isTrue();
            assertThat(r.out()).isEqualTo("200 2");
            assertThat(Files.readAllBytes(out)).as(expect).isEqualTo(body);
        }
    }

    @Test
    void anUploadToAnUpstreamThatReadsNothingIsHeldBackByFlowControlNotBufferedByTheGateway() throws Exception {
        long size = 64L << 20;
        try (Http2TestClient c = client()) {
            Http2TestClient.Stream up = c.request("PUT", "/stall/upload", authority(), false);
            up.upload(size);
            Polling.await("the upload to stop advancing", Duration.ofSeconds(30), () -> {
                long at = up.uploaded();
                return at > 0 && stillAfter(up, at, Duration.ofMillis(500));
            });
            long held = up.uploaded();
            System.out.printf("HTTP/2 upload to an upstream that reads nothing: held back after %,d of %,d bytes%n", held, size);
            // The stream's window (128 KiB), the connection to the upstream's socket buffers and one write's worth: a few MiB, not the upload.
            assertThat(held).as("bytes the client could send while the upstream read nothing").isLessThan(12L << 20);
            Http2TestClient.Stream other = c.request("GET", "/meanwhile", authority(), true);
            other.done().get(10, TimeUnit.SECONDS);
            assertThat(other.bodyText()).as("other streams on the connection go on").isEqualTo("production");

            stallOver.countDown();
            up.done().get(60, TimeUnit.SECONDS);
            assertThat(up.status()).isEqualTo(200);
            assertThat(up.bodyText()).isEqualTo("read");
            assertThat(up.uploaded()).isEqualTo(size);
            assertThat(stalledBodyBytes.get()).as("the whole body, chunk framing included").isGreaterThan(size);
        }
    }

    /** Whether the upload is still at {@code at} after {@code wait}. */
    private static boolean stillAfter(Http2TestClient.Stream s, long at, Duration wait) {
        try {
            Thread.sleep(wait.toMillis()); // watching for progress that should not come: there is nothing to poll for
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return s.uploaded() == at;
    }

    @Test
    void anRstStreamFromTheClientAbandonsItsUpstreamExchangeAndLeavesTheConnectionUp() throws Exception {
        try (Http2TestClient c = client(); LogCapture access = LogCapture.of(Level.INFO, AsyncAccessLog.LOGGER)) {
            // one stream waits for a slow answer, another is mid-upload; both are reset by the client
            int received = production.requests().size();
            Http2TestClient.Stream slow = c.request("GET", "/slow?delay=20000", authority(), true);
            Http2TestClient.Stream half = c.request("PUT", "/half-open?count=body", authority(), false);
            half.sendPart("the first part of a body that never ends");
            Polling.await("the upstream to receive both open requests", Duration.ofSeconds(10),
                    () -> production.requests().stream().skip(received).filter(r -> r.uri.startsWith("/slow") || r.uri.startsWith("/half-open")).count() == 2);
            int open = production.openConnections();
            slow.reset();
            half.reset();
            Polling.await("the upstream connections of the two reset streams to close", Duration.ofSeconds(5),
                    () -> production.openConnections() <= open - 2);
            Polling.await("two access-log lines with status 499", Duration.ofSeconds(5),
                    () -> access.lines().stream().filter(l -> l.contains("status=499")).count() == 2);
            assertThat(c.isOpen()).as("the connection outlives its reset streams").isTrue();
            Http2TestClient.Stream after = c.request("GET", "/after", authority(), true);
            after.done().get(10, TimeUnit.SECONDS);
            assertThat(after.bodyText()).isEqualTo("production");
        }
    }
}
