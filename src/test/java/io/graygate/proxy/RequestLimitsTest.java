package io.graygate.proxy;

import io.graygate.testing.RawHttpClient;
import io.graygate.testing.TestUpstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Requests past the configured size limits are answered by the proxy itself, with the status that names the limit. */
class RequestLimitsTest {

    @TempDir
    Path dir;

    @Test
    void headersLargerThanMaxHeaderSizeGet431AndNeverReachTheUpstream() {
        try (TestUpstream up = TestUpstream.start("production");
             ProxyHarness p = ProxyHarness.start(dir, ProxyHarness.twoGroups(up.hostPort(), up.hostPort(), "", "proxy: {maxHeaderSize: 1024}"));
             RawHttpClient c = RawHttpClient.connect(p.address())) {
            RawHttpClient.Response big = c.send("GET /x HTTP/1.1\r\nHost: a\r\nX-Big: " + "y".repeat(2000) + "\r\n\r\n").read();
            assertThat(big.status()).isEqualTo(431);
            assertThat(big.bodyText()).isEqualTo("431 Request Header Fields Too Large: the request headers are too large\n");
            assertThat(up.requests()).isEmpty();
        }
    }

    @Test
    void headersWithinMaxHeaderSizePass() {
        try (TestUpstream up = TestUpstream.start("production");
             ProxyHarness p = ProxyHarness.start(dir, ProxyHarness.twoGroups(up.hostPort(), up.hostPort(), "", "proxy: {maxHeaderSize: 4096}"));
             RawHttpClient c = RawHttpClient.connect(p.address())) {
            RawHttpClient.Response ok = c.send("GET /x HTTP/1.1\r\nHost: a\r\nX-Big: " + "y".repeat(2000) + "\r\n\r\n").read();
            assertThat(ok.status()).isEqualTo(200);
            assertThat(up.lastRequest().header("x-big")).hasSize(2000);
        }
    }
}
