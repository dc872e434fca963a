package io.graygate.proxy;

import io.graygate.testing.RawHttpClient;
import io.graygate.testing.RawUpstream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Upstream responses whose framing has more than one reading: the client gets a 502 and the upstream connection
 * is closed, never reused, so whatever the upstream meant by its extra bytes cannot answer the next request.
 */
class UpstreamFramingTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "Content-Length: 5\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\n   | ambiguous framing: both Content-Length and Transfer-Encoding",
            "Content-Length: 2\\r\\nConnection: Content-Length\\r\\n\\r\\nok             | ambiguous framing: Connection names \"Content-Length\"",
            "Transfer-Encoding: chunked\\r\\nConnection: transfer-encoding\\r\\n\\r\\n0\\r\\n\\r\\n | ambiguous framing: Connection names \"transfer-encoding\"",
            "Content-Length: 2\\r\\nContent-Length: 3\\r\\n\\r\\nokk                      | invalid response",
    })
    void anUpstreamResponseWithAmbiguousFramingIs502AndItsConnectionIsNeverReused(String headAndBody, String why) {
        String bad = "HTTP/1.1 200 OK\r\n" + RequestSmugglingTest.unescape(headAndBody.strip());
        String good = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ngood";
        try (RawUpstream up = RawUpstream.start(line -> line.startsWith("GET /bad ") ? bad : good);
             ProxyHarness p = ProxyHarness.start(dir, ProxyHarness.twoGroups(up.hostPort(), up.hostPort(), "", "proxy:\n  ioThreads: 1\n"));
             RawHttpClient c = RawHttpClient.connect(p.address())) {
            assertThat(c.get("/first", "app.test").read().bodyText()).isEqualTo("good");
            RawHttpClient.Response r = c.get("/bad", "app.test").read();
            assertThat(r.status()).isEqualTo(502);
            assertThat(r.bodyText()).isEqualTo("502 Bad Gateway: route \"demo\" upstream \"production\" (" + up.hostPort() + "): " + why + "\n");
            assertThat(c.get("/after", "app.test").read().bodyText()).isEqualTo("good");
            // /first and /bad shared the first connection; /after needed a new one
            assertThat(up.connections()).isEqualTo(2);
            assertThat(up.requestLines()).containsExactly("GET /first HTTP/1.1", "GET /bad HTTP/1.1", "GET /after HTTP/1.1");
        }
    }
}
