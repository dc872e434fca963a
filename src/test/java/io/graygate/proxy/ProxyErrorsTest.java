package io.graygate.proxy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.graygate.testing.RawHttpClient;
import io.graygate.testing.TestUpstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** What the client sees when the upstream is down, slow or breaks off, and when the request itself is bad. */
class ProxyErrorsTest {

    @TempDir
    Path dir;

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void upstreamThatRefusesConnectionsGets502NamingRouteAndUpstreamAndIsLoggedDownOnce() throws IOException {
        int port = closedPort();
        Logger serverLog = (Logger) LoggerFactory.getLogger(ServerHealth.class);
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        serverLog.addAppender(events);
        try (TestUpstream gray = TestUpstream.start("gray");
             ProxyHarness p = ProxyHarness.start(dir, ProxyHarness.twoGroups("127.0.0.1:" + port, gray.hostPort(), "", ""))) {
            try (RawHttpClient c = RawHttpClient.connect(p.address())) {
                for (int i = 0; i < 3; i++) {
                    RawHttpClient.Response r = c.get("/x", "app.test").read();
                    assertThat(r.status()).isEqualTo(502);
                    assertThat(r.header("content-type")).startsWith("text/plain");
                    assertThat(r.bodyText()).isEqualTo("502 Bad Gateway: route \"demo\" upstream \"production\" (127.0.0.1:" + port + "): connection refused\n");
                }
            }
            try (TestUpstream revived = TestUpstream.start("production", "127.0.0.1", port)) {
                assertThat(p.get("/back").body()).isEqualTo("production");
                assertThat(p.get("/back").body()).isEqualTo("production");
            }
        } finally {
            serverLog.detachAppender(events);
        }
        assertThat(events.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
                "upstream down: 127.0.0.1:" + port + " \"production\": connection refused; taken out for 10000 ms",
                "upstream up again: 127.0.0.1:" + port + " \"production\"");
    }

    @Test
    void upstreamThatDoesNotAnswerInTimeGets504AndTheClientConnectionStaysUsable() {
        try (TestUpstream production = TestUpstream.start("production");
             ProxyHarness p = ProxyHarness.start(dir, ProxyHarness.twoGroups(production.hostPort(), production.hostPort(), "", """
                     proxy:
                       responseTimeout: 300ms
                     """));
             RawHttpClient c = RawHttpClient.connect(p.address())) {
            long start = System.nanoTime();
            RawHttpClient.Response r = c.get("/slow?delay=3000", "app.test").read();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2500));
            assertThat(r.status()).isEqualTo(504);
            assertThat(r.bodyText()).isEqualTo("504 Gateway Timeout: route \"demo\" upstream \"production\" (" + production.hostPort()
                    + "): no response within 300 ms\n");
            assertThat(c.get("/fast", "app.test").read().bodyText()).isEqualTo("production");
            assertThat(p.proxy.inFlight()).isZero();
        }
    }

    @Test
    void eachRequestOnAKeptAliveConnectionHasTheWholeResponseTimeoutAndTheIdleTimeoutFollows() {
        try (TestUpstream production = TestUpstream.start("production");
             ProxyHarness p = ProxyHarness.start(dir, ProxyHarness.twoGroups(production.hostPort(), production.hostPort(), "", """
                     proxy:
                       responseTimeout: 400ms
                       idleTimeout: 1s
                     """));
             RawHttpClient c = RawHttpClient.connect(p.address())) {
            // The connection's timer, armed by the first request, fires while the second waits: 250 + 300 ms > 400 ms.
            assertThat(c.get("/slow?delay=250", "app.test").read().status()).isEqualTo(200);
            assertThat(c.get("/slow?delay=300", "app.test").read().bodyText()).isEqualTo("production");
            long start = System.nanoTime();
            RawHttpClient.Response r = c.get("/slow?delay=3000", "app.test").read();
            assertThat(r.status()).isEqualTo(504);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2500));
            assertThat(c.get("/fast", "app.test").read().bodyText()).isEqualTo("production");
            // the same timer, after all that, still closes the connection once it is idle
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void slowButSteadyDownloadIsNotCutOffByTheResponseTimeout() {
        try (TestUpstream production = TestUpstream.start("production");
             ProxyHarness p = ProxyHarness.start(dir, ProxyHarness.twoGroups(production.hostPort(), production.hostPort(), "", """
                     proxy:
                       responseTimeout: 200ms
                     """));
             RawHttpClient c = RawHttpClient.connect(p.address())) {
            c.get("/big?download=8000000", "app.test");
            // The client takes a while to read; the proxy waits for it rather than calling it an upstream timeout.
            RawHttpClient.Response r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).hasSize(8_000_000);
        }
    }

    @Test
    void malformedRequestsGet400AndTheConnectionIsClosed() {
        try (TestUpstream production = TestUpstream.start("production");
             ProxyHarness p = ProxyHarness.start(dir, ProxyHarness.twoGroups(production.hostPort(), production.hostPort(), "", ""))) {
            Map<String, String> reasons = new LinkedHashMap<>();
            reasons.put("GET /bad-length HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n", "invalid Content-Length \"abc\"");
            reasons.put("GET /bad-name HTTP/1.1\r\nHost: a\r\nBad Name: 1\r\n\r\n", "whitespace before the colon of a header field");
            reasons.put("NOT A REQUEST AT ALL\r\n\r\n", "a malformed request line");
            reasons.put("POST /bad-chunk HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nxx\r\n0\r\n\r\n", "an invalid chunk size");
            for (Map.Entry<String, String> e : reasons.entrySet()) {
                String bad = e.getKey();
                try (RawHttpClient c = RawHttpClient.connect(p.address())) {
                    RawHttpClient.Response r = c.send(bad).read();
                    assertThat(r.status()).as(bad).isEqualTo(400);
                    assertThat(r.bodyText()).as(bad).isEqualTo("400 Bad Request: " + e.getValue() + "\n");
                    assertThat(r.header("connection")).isEqualTo("close");
                    assertThat(c.closedByServer()).as(bad).isTrue();
                }
            }
            assertThat(p.proxy.inFlight()).isZero();
            // a bad head never reaches the upstream (a bad chunk is found only after the head was sent on)
            assertThat(production.requests()).extracting(r -> r.uri).doesNotContain("/bad-length", "/bad-name");
        }
    }

    @Test
    void keptAliveConnectionThatBreaksBeforeAnswerIsRetriedOnceOnAFreshOneForABodylessRequest() {
        try (TestUpstream production = TestUpstream.start("production");
             ProxyHarness p = ProxyHarness.start(dir, ProxyHarness.twoGroups(production.hostPort(), production.hostPort(), "", """
                     proxy:
                       ioThreads: 1
                     """));
             RawHttpClient c = RawHttpClient.connect(p.address())) {
            assertThat(c.get("/first", "app.test").read().status()).isEqualTo(200);
            RawHttpClient.Response retried = c.get("/second?drop=reused", "app.test").read();
            assertThat(retried.status()).isEqualTo(200);
            assertThat(retried.bodyText()).isEqualTo("production");
            assertThat(production.connections()).isEqualTo(2);
            assertThat(production.requests()).extracting(r -> r.connection).containsExactly(1, 1, 2);

            RawHttpClient.Response post = c.send("POST /third?drop=reused HTTP/1.1\r\nHost: app.test\r\nContent-Length: 3\r\n\r\nabc").read();
            assertThat(post.status()).isEqualTo(502); // a request with a body is never sent twice
            assertThat(post.bodyText()).contains("closed the connection before responding");
        }
    }
}
