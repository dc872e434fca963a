package io.graygate.proxy;

import io.graygate.testing.Polling;
import io.graygate.testing.RawHttpClient;
import io.graygate.testing.TestUpstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Timeouts that blame the side that is slow, and refusals the client can read before the connection closes. */
class ClientTimeoutsTest {

    @TempDir
    Path dir;

    private ProxyHarness start(TestUpstream up, String proxyYaml) {
        return ProxyHarness.start(dir, ProxyHarness.twoGroups(up.hostPort(), up.hostPort(), "", "proxy:\n" + proxyYaml.indent(2)));
    }

    @Test
    void aRequestHeadNotFinishedWithinRequestHeaderTimeoutGets408AndTheConnectionCloses() {
        try (TestUpstream up = TestUpstream.start("production");
             ProxyHarness p = start(up, "requestHeaderTimeout: 300ms\nidleTimeout: 60s");
             RawHttpClient c = RawHttpClient.connect(p.address())) {
            // Sent: a request line and one field, then nothing (slowloris).
            c.send("GET /slow HTTP/1.1\r\nHost: app.test\r\n");
            RawHttpClient.Response r = c.read();
            assertThat(r.status()).isEqualTo(408);
            assertThat(r.bodyText()).isEqualTo("408 Request Timeout: no complete request head within 300 ms\n");
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(c.closedGracefully()).isTrue();
            assertThat(up.requests()).isEmpty();
        }
    }

    @Test
    void aKeptAliveConnectionThatSendsNothingIsClosedSilentlyAfterIdleTimeoutNotAnswered408() {
        try (TestUpstream up = TestUpstream.start("production");
             ProxyHarness p = start(up, "requestHeaderTimeout: 100ms\nidleTimeout: 1s");
             RawHttpClient c = RawHttpClient.connect(p.address())) {
            assertThat(c.get("/one", "app.test").read().status()).isEqualTo(200);
            assertThat(c.closedGracefully()).isTrue(); // end of stream with no 408 before it
        }
    }

    @Test
    void aBodyThatStopsComingGets408WithinRequestBodyTimeoutAndTheUpstreamExchangeIsAbandoned() {
        try (TestUpstream up = TestUpstream.start("production");
             ProxyHarness p = start(up, "requestBodyTimeout: 300ms\nresponseTimeout: 10s");
             RawHttpClient c = RawHttpClient.connect(p.address())) {
            // Sent: a POST announcing 10 body bytes, then 3 of them.
            c.send("POST /b?count=body HTTP/1.1\r\nHost: app.test\r\nContent-Length: 10\r\n\r\nabc");
            RawHttpClient.Response r = c.read();
            assertThat(r.status()).isEqualTo(408);
            assertThat(r.bodyText()).isEqualTo("408 Request Timeout: no request body bytes within 300 ms\n");
            assertThat(c.closedGracefully()).isTrue();
            Polling.await("the upstream connection is closed", Duration.ofSeconds(5), () -> up.openConnections() == 0);
            assertThat(p.proxy.inFlight()).isZero();
        }
    }

    @Test
    void aClientThatAsksFor100ContinueAndThenSendsNoBodyGets408Not504() {
        try (TestUpstream up = TestUpstream.start("production");
             ProxyHarness p = start(up, "requestBodyTimeout: 600ms\nresponseTimeout: 200ms");
             RawHttpClient c = RawHttpClient.connect(p.address())) {
            // Sent: a POST with Expect: 100-continue and Content-Length: 10, and never the body.
            c.send("POST /e HTTP/1.1\r\nHost: app.test\r\nContent-Length: 10\r\nExpect: 100-continue\r\n\r\n");
            assertThat(c.readHead().status()).isEqualTo(100); // the upstream's, passed on
            RawHttpClient.Response r = c.read();
            assertThat(r.status()).isEqualTo(408);
            assertThat(r.bodyText()).isEqualTo("408 Request Timeout: no request body bytes within 600 ms\n");
        }
    }

    @Test
    void aSlowUpstreamIsStill504OnceTheRequestHasArrivedWhole() {
        try (TestUpstream up = TestUpstream.start("production");
             ProxyHarness p = start(up, "requestBodyTimeout: 100ms\nresponseTimeout: 300ms");
             RawHttpClient c = RawHttpClient.connect(p.address())) {
            c.send("POST /s?delay=3000 HTTP/1.1\r\nHost: app.test\r\nContent-Length: 3\r\n\r\nabc");
            assertThat(c.read().status()).isEqualTo(504);
        }
    }

    @Test
    void a431IsReadByTheClientEvenWithMuchOfItsRequestUnreadThenTheConnectionEndsWithFin() {
        try (TestUpstream up = TestUpstream.start("production");
             ProxyHarness p = start(up, "maxHeaderSize: 1024");
             RawHttpClient c = RawHttpClient.connect(p.address())) {
            // Sent: a head with a 4000-byte field, then 256 KiB the gateway never reads as HTTP, before reading anything.
            c.send("POST /big HTTP/1.1\r\nHost: app.test\r\nX-Big: " + "y".repeat(4000) + "\r\nContent-Length: 262144\r\n\r\n");
            sendZeros(c.output(), 262_144);
            RawHttpClient.Response r = c.read();
            assertThat(r.status()).isEqualTo(431);
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(c.closedGracefully()).isTrue();
        }
    }

    @Test
    void a414IsReadByTheClientThenTheConnectionEndsWithFin() {
        try (TestUpstream up = TestUpstream.start("production");
             ProxyHarness p = start(up, "maxHeaderSize: 1024");
             RawHttpClient c = RawHttpClient.connect(p.address())) {
            c.send("GET /" + "a".repeat(3000) + " HTTP/1.1\r\nHost: app.test\r\n\r\n");
            sendZeros(c.output(), 262_144);
            RawHttpClient.Response r = c.read();
            assertThat(r.status()).isEqualTo(414);
            assertThat(r.bodyText()).isEqualTo("414 Request-URI Too Long: the request line is too long\n");
            assertThat(c.closedGracefully()).isTrue();
        }
    }

    private static void sendZeros(OutputStream out, int n) {
        try {
            out.write(new byte[n]);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
