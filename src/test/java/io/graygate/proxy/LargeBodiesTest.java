package io.graygate.proxy;

import io.graygate.testing.GatewayProcess;
import io.graygate.testing.Pattern;
import io.graygate.testing.RawHttpClient;
import io.graygate.testing.TestUpstream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 1 GiB up and 1 GiB down through a proxy whose JVM has a 64 MiB heap and 64 MiB of direct memory: it can only
 * pass if bodies stream with back-pressure and nothing is aggregated. The proxy runs in a child JVM
 * ({@code graygate serve} through {@link GatewayProcess}); the upstream and the client run here.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LargeBodiesTest {

    static final long GIB = 1L << 30;

    @TempDir
    static Path dir;

    static TestUpstream upstream;
    static GatewayProcess child;
    static int port;

    @BeforeAll
    static void startProxyInAChildJvm() throws Exception {
        upstream = TestUpstream.start("production");
        child = GatewayProcess.start(dir, "small-heap", GatewayProcess.oneUpstreamConfig(dir, upstream.hostPort(), """
                proxy:
                  accessLog: false
                """),
                List.of("-Xmx64m", "-XX:MaxDirectMemorySize=64m", "-XX:+ExitOnOutOfMemoryError"));
        port = child.proxyAddress().getPort();
    }

    @AfterAll
    static void stop() throws Exception {
        if (child != null) child.close();
        if (upstream != null) upstream.close();
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

    @Test
    void oneGibUploadStreamsThroughASmallHeap() throws IOException {
        long start = System.nanoTime();
        try (RawHttpClient c = RawHttpClient.connect(new InetSocketAddress("127.0.0.1", port))) {
            c.send("PUT /upload?count=body HTTP/1.1\r\nHost: big.test\r\nContent-Length: " + GIB + "\r\n\r\n");
            OutputStream out = c.output();
            byte[] block = Pattern.block();
            for (long sent = 0; sent < GIB; sent += block.length) out.write(block, 0, (int) Math.min(block.length, GIB - sent));
            out.flush();
            RawHttpClient.Response r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("bytes=" + GIB + " crc=" + Long.toHexString(Pattern.crc(GIB)));
        }
        report("upload", start);
        assertThat(child.isAlive()).as("the proxy survived: " + child.output()).isTrue();
    }

    @Test
    void oneGibChunkedUploadStreamsThroughASmallHeap() throws IOException {
        long start = System.nanoTime();
        try (RawHttpClient c = RawHttpClient.connect(new InetSocketAddress("127.0.0.1", port))) {
            c.send("POST /upload?count=body HTTP/1.1\r\nHost: big.test\r\nTransfer-Encoding: chunked\r\n\r\n");
            OutputStream out = c.output();
            byte[] block = Pattern.block();
            byte[] size = (Integer.toHexString(block.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
            byte[] crlf = {'\r', '\n'};
            for (long sent = 0; sent < GIB; sent += block.length) {
                out.write(size);
                out.write(block);
                out.write(crlf);
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            RawHttpClient.Response r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("bytes=" + GIB + " crc=" + Long.toHexString(Pattern.crc(GIB)));
        }
        report("chunked upload", start);
        assertThat(child.isAlive()).as("the proxy survived: " + child.output()).isTrue();
    }

    @Test
    void oneGibDownloadStreamsThroughASmallHeap() throws IOException {
        long start = System.nanoTime();
        try (RawHttpClient c = RawHttpClient.connect(new InetSocketAddress("127.0.0.1", port))) {
            RawHttpClient.Response head = c.get("/download?download=" + GIB, "big.test").readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("content-length")).isEqualTo(String.valueOf(GIB));
            InputStream in = c.input();
            CRC32 crc = new CRC32();
            byte[] buf = new byte[65536];
            long received = 0;
            int n;
            while (received < GIB && (n = in.read(buf, 0, (int) Math.min(buf.length, GIB - received))) > 0) {
                crc.update(buf, 0, n);
                received += n;
            }
            assertThat(received).isEqualTo(GIB);
            assertThat(crc.getValue()).isEqualTo(Pattern.crc(GIB));
            // and the connection is still good for another request
            assertThat(c.get("/after", "big.test").read().bodyText()).isEqualTo("production");
        }
        report("download", start);
        assertThat(child.isAlive()).as("the proxy survived: " + child.output()).isTrue();
    }

    private static void report(String what, long startNanos) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        System.out.printf("1 GiB %s through a -Xmx64m proxy: %.1f s (%.0f MiB/s), child %s%n", what, seconds, 1024 / seconds, peakMemory());
    }
}
