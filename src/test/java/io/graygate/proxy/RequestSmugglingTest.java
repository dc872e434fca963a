package io.graygate.proxy;

import io.graygate.testing.RawHttpClient;
import io.graygate.testing.TestUpstream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Requests that could make the gateway and its upstream disagree on where a request ends, sent byte for byte over
 * a raw socket: each is either refused before anything of it reaches the upstream (status and close as stated),
 * or forwarded as exactly one request framed by the gateway. One event loop, so every request rides the same
 * pooled upstream connections.
 */
class RequestSmugglingTest {

    @TempDir
    Path dir;

    private TestUpstream upstream;
    private ProxyHarness proxy;

    @BeforeEach
    void start() {
        upstream = TestUpstream.start("production");
        proxy = ProxyHarness.start(dir, ProxyHarness.twoGroups(upstream.hostPort(), upstream.hostPort(), "", """
                proxy:
                  ioThreads: 1
                """));
    }

    @AfterEach
    void stop() {
        proxy.close();
        upstream.close();
    }

    /** The body of the smuggling POST: a whole second request, which must stay body. */
    private static final String SMUGGLED = "GET /smuggled HTTP/1.1\r\nHost: app.test\r\nX-Pad: " + "p".repeat(29) + "\r\n\r\n";

    @Test
    void aConnectionHeaderNamingContentLengthDoesNotTakeTheFramingAwaySoTheBodyStaysBody() {
        assertThat(SMUGGLED).hasSize(80);
        try (RawHttpClient attacker = RawHttpClient.connect(proxy.address());
             RawHttpClient victim = RawHttpClient.connect(proxy.address())) {
            // Sent: POST /upload with Content-Length: 80 and Connection: Content-Length, then 80 bytes that read as a request.
            attacker.send("POST /upload HTTP/1.1\r\nHost: app.test\r\nContent-Length: 80\r\nConnection: Content-Length\r\n\r\n" + SMUGGLED);
            RawHttpClient.Response own = attacker.read();
            assertThat(own.status()).isEqualTo(200);
            // The next request over the same pooled upstream connection gets its own response.
            RawHttpClient.Response next = victim.get("/victim?echo=headers", "app.test").read();
            assertThat(next.status()).isEqualTo(200);
            assertThat(next.bodyText()).startsWith("GET /victim?echo=headers HTTP/1.1\n");
        }
        assertThat(upstream.requests()).extracting(r -> r.method + " " + r.uri).containsExactly("POST /upload", "GET /victim?echo=headers");
        TestUpstream.Received upload = upstream.requests().get(0);
        assertThat(upload.headers("content-length")).containsExactly("80");
        assertThat(upload.header("transfer-encoding")).isNull();
        assertThat(upload.bodyBytes()).isEqualTo(80);
    }

    @Test
    void aConnectionHeaderNamingTransferEncodingDoesNotTakeTheChunkedFramingAway() {
        try (RawHttpClient c = RawHttpClient.connect(proxy.address())) {
            // Sent: a chunked POST whose one chunk is a whole request, with Connection: Transfer-Encoding.
            c.send("POST /upload HTTP/1.1\r\nHost: app.test\r\nTransfer-Encoding: chunked\r\nConnection: Transfer-Encoding\r\n\r\n"
                    + "50\r\n" + SMUGGLED + "\r\n0\r\n\r\n");
            assertThat(c.read().status()).isEqualTo(200);
            assertThat(c.get("/after", "app.test").read().status()).isEqualTo(200);
        }
        assertThat(upstream.requests()).extracting(r -> r.method + " " + r.uri).containsExactly("POST /upload", "GET /after");
        assertThat(upstream.requests().get(0).headers("transfer-encoding")).containsExactly("chunked");
        assertThat(upstream.requests().get(0).bodyBytes()).isEqualTo(80);
    }

    @Test
    void aConnectionHeaderCannotRemoveHost() {
        try (RawHttpClient c = RawHttpClient.connect(proxy.address())) {
            c.send("GET /h HTTP/1.1\r\nHost: app.test\r\nConnection: Host\r\n\r\n");
            assertThat(c.read().status()).isEqualTo(200);
        }
        assertThat(upstream.lastRequest().header("host")).isEqualTo("app.test");
    }

    /**
     * Each line: the case, the bytes after "METHOD /case-N HTTP/1.x\r\n" (escapes \r \n \t \0), the status, and the
     * reason in the body. Every one ends the connection after the response, and none of them reaches the upstream.
     */
    @ParameterizedTest(name = "{0}: {2}")
    @CsvSource(delimiter = '|', value = {
            "CL.TE           | POST | 1.1 | Host: app.test\\r\\nContent-Length: 6\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\nG  | 400 | both Content-Length and Transfer-Encoding",
            "TE.CL           | POST | 1.1 | Host: app.test\\r\\nTransfer-Encoding: chunked\\r\\nContent-Length: 3\\r\\n\\r\\n8\\r\\nSMUGGLED\\r\\n0\\r\\n\\r\\n | 400 | both Content-Length and Transfer-Encoding",
            "TE xchunked     | POST | 1.1 | Host: app.test\\r\\nTransfer-Encoding: xchunked\\r\\n\\r\\n0\\r\\n\\r\\n                 | 501 | unknown transfer coding \"xchunked\"",
            "TE chunked, x   | POST | 1.1 | Host: app.test\\r\\nTransfer-Encoding: chunked\\r\\nTransfer-Encoding: x\\r\\n\\r\\n   | 501 | unknown transfer coding \"x\"",
            "TE twice        | POST | 1.1 | Host: app.test\\r\\nTransfer-Encoding: chunked, chunked\\r\\n\\r\\n0\\r\\n\\r\\n         | 400 | chunked appears more than once in Transfer-Encoding",
            "TE not last     | POST | 1.1 | Host: app.test\\r\\nTransfer-Encoding: chunked, gzip\\r\\n\\r\\n0\\r\\n\\r\\n            | 400 | chunked is not the final transfer coding",
            "TE space colon  | POST | 1.1 | Host: app.test\\r\\nTransfer-Encoding : chunked\\r\\n\\r\\n0\\r\\n\\r\\n                | 400 | whitespace before the colon of a header field",
            "TE folded       | POST | 1.1 | Host: app.test\\r\\nTransfer-Encoding:\\r\\n chunked\\r\\n\\r\\n0\\r\\n\\r\\n             | 400 | obsolete line folding",
            "TE indented     | POST | 1.1 | Host: app.test\\r\\n Transfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\n                | 400 | obsolete line folding",
            "TE in HTTP/1.0  | POST | 1.0 | Host: app.test\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\n                 | 400 | Transfer-Encoding in an HTTP/1.0 request",
            "CL twice        | POST | 1.1 | Host: app.test\\r\\nContent-Length: 3\\r\\nContent-Length: 4\\r\\n\\r\\nabcd           | 400 | more than one Content-Length",
            "CL same twice   | POST | 1.1 | Host: app.test\\r\\nContent-Length: 3\\r\\nContent-Length: 3\\r\\n\\r\\nabc            | 400 | more than one Content-Length",
            "CL list         | POST | 1.1 | Host: app.test\\r\\nContent-Length: 3, 3\\r\\n\\r\\nabc                           | 400 | more than one Content-Length",
            "CL signed       | POST | 1.1 | Host: app.test\\r\\nContent-Length: +3\\r\\n\\r\\nabc                             | 400 | invalid Content-Length \"+3\"",
            "CL negative     | POST | 1.1 | Host: app.test\\r\\nContent-Length: -1\\r\\n\\r\\n                                | 400 | invalid Content-Length \"-1\"",
            "NUL in field    | GET  | 1.1 | Host: app.test\\r\\nX-A: a\\0b\\r\\n\\r\\n                                         | 400 | a NUL in a header field",
            "bare CR         | GET  | 1.1 | Host: app.test\\r\\nX-A: a\\rX-B: b\\r\\n\\r\\n                                  | 400 | a CR not followed by LF in a header field",
            "HTTP/2.0 line   | GET  | 2.0 | Host: app.test\\r\\n\\r\\n                                                    | 505 | HTTP/2.0 is not supported; use HTTP/1.1",
            "HTTP/1.2 line   | GET  | 1.2 | Host: app.test\\r\\n\\r\\n                                                    | 505 | HTTP/1.2 is not supported; use HTTP/1.1",
            "no Host         | GET  | 1.1 | X-A: a\\r\\n\\r\\n                                                            | 400 | no Host header",
            "two Hosts       | GET  | 1.1 | Host: app.test\\r\\nHost: other.test\\r\\n\\r\\n                                | 400 | more than one Host header",
            "bad Host        | GET  | 1.1 | Host: app.test/x\\r\\n\\r\\n                                                  | 400 | invalid Host \"app.test/x\"",
    })
    void refused(String name, String method, String version, String rest, int status, String reason) {
        String path = "/case-" + name.strip().replaceAll("[^A-Za-z0-9]+", "-");
        String bytes = method.strip() + " " + path + " HTTP/" + version.strip() + "\r\n" + unescape(rest.strip());
        try (RawHttpClient c = RawHttpClient.connect(proxy.address())) {
            RawHttpClient.Response r = c.send(bytes).read();
            assertThat(r.status()).as(bytes).isEqualTo(status);
            assertThat(r.bodyText()).startsWith(status + " ").endsWith(": " + reason + "\n");
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(c.closedByServer()).isTrue();
        }
        assertThat(upstream.requests()).extracting(r -> r.uri).doesNotContain(path);
        assertThat(proxy.proxy.inFlight()).isZero();
    }

    /** A bad chunk is found once the head has been sent on: 400, close, and that upstream exchange is given up. */
    @ParameterizedTest(name = "{0}: {2}")
    @CsvSource(delimiter = '|', value = {
            "chunk size overflow  | FFFFFFFFFFFFFFFF1\\r\\nx\\r\\n0\\r\\n\\r\\n   | the chunk size overflows",
            "negative chunk       | -1\\r\\nx\\r\\n0\\r\\n\\r\\n                  | an invalid chunk size",
            "chunk too long       | 3\\r\\nabcdef\\r\\n0\\r\\n\\r\\n               | chunk data longer than its chunk size",
            "chunk without CRLF   | 3\\r\\nabcXX0\\r\\n\\r\\n                      | chunk data longer than its chunk size",
            "folded trailer       | 0\\r\\nX-A: a\\r\\n b\\r\\n\\r\\n             | obsolete line folding in the trailers",
    })
    void badChunksAreRefusedAndNeverTruncatedSilently(String name, String body, String reason) {
        int connectionsBefore = upstream.connections();
        try (RawHttpClient c = RawHttpClient.connect(proxy.address())) {
            RawHttpClient.Response r = c.send("POST /chunks?count=body HTTP/1.1\r\nHost: app.test\r\nTransfer-Encoding: chunked\r\n\r\n" + unescape(body.strip())).read();
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.bodyText()).isEqualTo("400 Bad Request: " + reason + "\n");
            assertThat(c.closedByServer()).isTrue();
        }
        // The upstream connection that carried part of the request is not reused: the next request opens another.
        try (RawHttpClient c = RawHttpClient.connect(proxy.address())) {
            assertThat(c.get("/next", "app.test").read().status()).isEqualTo(200);
        }
        TestUpstream.Received next = upstream.lastRequest();
        assertThat(next.uri).isEqualTo("/next");
        assertThat(next.connection).isGreaterThan(connectionsBefore);
        assertThat(upstream.requests()).extracting(r -> r.uri).filteredOn(u -> u.startsWith("/chunks")).hasSizeLessThanOrEqualTo(1);
    }

    @Test
    void traceIs405AndTheConnectionStaysUsable() {
        try (RawHttpClient c = RawHttpClient.connect(proxy.address())) {
            RawHttpClient.Response r = c.send("TRACE /t HTTP/1.1\r\nHost: app.test\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(405);
            assertThat(r.bodyText()).isEqualTo("405 Method Not Allowed: TRACE is not proxied\n");
            assertThat(c.get("/after", "app.test").read().status()).isEqualTo(200);
        }
        assertThat(upstream.requests()).extracting(r -> r.uri).containsExactly("/after");
    }

    @Test
    void requestTrailersAreDroppedSoTheyCannotAddForwardingHeaders() {
        try (RawHttpClient c = RawHttpClient.connect(proxy.address())) {
            // Sent: a chunked POST whose trailer section carries X-Forwarded-For and X-Real-IP.
            c.send("POST /t HTTP/1.1\r\nHost: app.test\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n"
                    + "X-Forwarded-For: 6.6.6.6\r\nX-Real-IP: 6.6.6.6\r\n\r\n");
            assertThat(c.read().status()).isEqualTo(200);
        }
        TestUpstream.Received r = upstream.lastRequest();
        assertThat(r.bodyBytes()).isEqualTo(3);
        assertThat(r.trailers()).isEmpty();
        assertThat(r.headers("x-forwarded-for")).containsExactly("127.0.0.1");
    }

    @Test
    void anAbsoluteFormTargetRoutesOnItsAuthorityAndUserinfoOrAnEmptyAuthorityIsRefused() {
        try (RawHttpClient c = RawHttpClient.connect(proxy.address())) {
            c.send("GET http://app.test/abs?q=1 HTTP/1.1\r\nHost: other.test\r\n\r\n");
            assertThat(c.read().status()).isEqualTo(200);
        }
        assertThat(upstream.lastRequest().uri).isEqualTo("/abs?q=1");
        assertThat(upstream.lastRequest().header("host")).isEqualTo("app.test");
        for (Map.Entry<String, String> bad : List.of(
                Map.entry("http://user@app.test/u", "userinfo in the request target"),
                Map.entry("http:///e", "an empty authority in the request target"))) {
            try (RawHttpClient c = RawHttpClient.connect(proxy.address())) {
                RawHttpClient.Response r = c.send("GET " + bad.getKey() + " HTTP/1.1\r\nHost: app.test\r\n\r\n").read();
                assertThat(r.status()).isEqualTo(400);
                assertThat(r.bodyText()).isEqualTo("400 Bad Request: " + bad.getValue() + "\n");
                assertThat(c.closedByServer()).isTrue();
            }
        }
        assertThat(upstream.requests()).hasSize(1);
    }

    @Test
    void pipelinedRequestsAheadOfABadOneAreStillAnswered() {
        try (RawHttpClient c = RawHttpClient.connect(proxy.address())) {
            // Sent in one write: a good GET, a POST with a 5-byte body, then a head with whitespace before a colon.
            c.send("GET /p1 HTTP/1.1\r\nHost: app.test\r\n\r\n"
                    + "POST /p2 HTTP/1.1\r\nHost: app.test\r\nContent-Length: 5\r\n\r\nhello"
                    + "GET /p3 HTTP/1.1\r\nHost : app.test\r\n\r\n");
            assertThat(c.read().status()).isEqualTo(200);
            assertThat(c.read().status()).isEqualTo(200);
            RawHttpClient.Response bad = c.read();
            assertThat(bad.status()).isEqualTo(400);
            assertThat(c.closedByServer()).isTrue();
        }
        assertThat(upstream.requests()).extracting(r -> r.uri).containsExactly("/p1", "/p2");
        assertThat(upstream.requests().get(1).bodyBytes()).isEqualTo(5);
    }

    static String unescape(String s) {
        return s.replace("\\r", "\r").replace("\\n", "\n").replace("\\t", "\t").replace("\\0", "\0");
    }
}
