package io.graygate.proxy;

import io.graygate.testing.GatewayProcess;
import io.graygate.testing.Http2TestClient;
import io.graygate.testing.Pattern;
import io.graygate.testing.TestCertificates;
import io.graygate.testing.TestUpstream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * HTTP/2 over TLS with 100 concurrent streams on one connection, among them a 1 GiB upload and a 1 GiB download,
 * through a proxy whose JVM has a 64 MiB heap and 64 MiB of direct memory: it can only pass if every stream
 * streams with flow control and back-pressure. The proxy runs in a child JVM ({@link GatewayProcess}).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class LargeHttp2BodiesTest {

    static final long GIB = 1L << 30;

    @TempDir
    static Path dir;

    static TestUpstream upstream;
    static GatewayProcess child;

    @BeforeAll
    static void startProxyInAChildJvm() throws Exception {
        upstream = TestUpstream.start("production");
        TestCertificates.Pair cert = TestCertificates.issue(dir, "big", "big.test");
        child = GatewayProcess.start(dir, "small-heap-h2",
                GatewayProcess.oneTlsUpstreamConfig(dir, cert.yaml(), upstream.hostPort(), "proxy: {accessLog: false}\n"),
                List.of("-Xmx64m", "-XX:MaxDirectMemorySize=64m", "-XX:+ExitOnOutOfMemoryError"));
    }

    @AfterAll
    static void stop() {
        if (child != null) child.close();
        if (upstream != null) upstream.close();
    }

    @Test
    void aGibUpAndAGibDownAmongOneHundredStreamsOnOneConnectionPassASmallHeap() throws Exception {
        InetSocketAddress at = new InetSocketAddress("127.0.0.1", child.proxyUris().get(0).getPort());
        String authority = "big.test:" + at.getPort();
        long start = System.nanoTime();
        try (Http2TestClient c = Http2TestClient.connect(at, "big.test")) {
            Http2TestClient.Stream up = c.request("PUT", "/upload?count=body", authority, false);
            up.upload(GIB);
            Http2TestClient.Stream down = c.request("GET", "/download?download=" + GIB, authority, true);
            List<Http2TestClient.Stream> small = new ArrayList<>();
            for (int i = 0; i < 98; i++) small.add(c.request("GET", "/small?delay=" + (i * 20) + "&i=" + i, authority, true));
            for (Http2TestClient.Stream s : small) {
                s.done().get(60, TimeUnit.SECONDS);
                assertThat(s.bodyText()).isEqualTo("production");
            }
            assertThat(up.done().isDone() || down.done().isDone()).as("the small streams were answered while the big ones still flowed").isFalse();
            down.done().get(240, TimeUnit.SECONDS);
            assertThat(down.bodyBytes()).isEqualTo(GIB);
            assertThat(down.bodyCrc()).isEqualTo(Pattern.crc(GIB));
            up.done().get(240, TimeUnit.SECONDS);
            assertThat(up.bodyText()).isEqualTo("bytes=" + GIB + " crc=" + Long.toHexString(Pattern.crc(GIB)));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("HTTP/2: 1 GiB up + 1 GiB down + 98 small streams on one connection through a -Xmx64m proxy: %.1f s, child %s%n",
                seconds, peakMemory());
        assertThat(child.isAlive()).as("the proxy survived: " + child.output()).isTrue();
    }

    private static String peakMemory() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + child.pid() + "/status"))) {
                if (line.startsWith("VmHWM")) return line.replaceAll("\\s+", " ");
            }
        } catch (IOException ignored) {
            // not Linux: nothing to show
        }
        return "VmHWM unknown";
    }
}
