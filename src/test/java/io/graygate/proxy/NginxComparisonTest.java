package io.graygate.proxy;

import io.graygate.testing.Polling;
import io.graygate.testing.RawHttpClient;
import io.graygate.testing.TestUpstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The same bytes sent to graygate and to an nginx in front of the same kind of upstream: graygate lets no smuggled
 * request through, and refuses at least what nginx refuses. The table of both answers is written to
 * {@code target/nginx-comparison.md}. Skipped when no nginx binary is found ({@code GRAYGATE_NGINX}, then
 * {@code nginx} on the PATH, /usr/sbin/nginx).
 */
class NginxComparisonTest {

    @TempDir
    Path dir;

    private static Path nginxBinary() {
        List<String> candidates = new ArrayList<>();
        if (System.getenv("GRAYGATE_NGINX") != null) candidates.add(System.getenv("GRAYGATE_NGINX"));
        for (String p : System.getenv().getOrDefault("PATH", "").split(":")) candidates.add(p + "/nginx");
        candidates.add("/usr/sbin/nginx");
        for (String c : candidates) {
            Path p = Path.of(c);
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }

    private static String smuggled() {
        return "GET /smuggled HTTP/1.1\r\nHost: app.test\r\n\r\n";
    }

    /** The cases: name to bytes. Each smuggles "GET /smuggled" in whatever the request's body is. */
    private static Map<String, String> cases() {
        String h = "Host: app.test\r\n";
        String s = smuggled();
        String hex = Integer.toHexString(s.length());
        Map<String, String> c = new LinkedHashMap<>();
        c.put("CL.TE", "POST /c HTTP/1.1\r\n" + h + "Content-Length: " + (5 + s.length()) + "\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + s);
        c.put("TE.CL", "POST /c HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n" + hex + "\r\n" + s + "\r\n0\r\n\r\n");
        c.put("Transfer-Encoding: xchunked", "POST /c HTTP/1.1\r\n" + h + "Transfer-Encoding: xchunked\r\n\r\n" + s);
        c.put("Transfer-Encoding: chunked + cow", "POST /c HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\nTransfer-Encoding: cow\r\n\r\n0\r\n\r\n" + s);
        c.put("Transfer-Encoding: chunked, chunked", "POST /c HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n" + s);
        c.put("Transfer-Encoding space before colon", "POST /c HTTP/1.1\r\n" + h + "Transfer-Encoding : chunked\r\nContent-Length: " + s.length() + "\r\n\r\n" + s);
        c.put("obsolete line folding", "POST /c HTTP/1.1\r\n" + h + "X-A: a\r\n Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + s);
        c.put("Transfer-Encoding in HTTP/1.0", "POST /c HTTP/1.0\r\n" + h + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + s);
        c.put("Connection: Content-Length", "POST /c HTTP/1.1\r\n" + h + "Content-Length: " + s.length() + "\r\nConnection: Content-Length\r\n\r\n" + s);
        c.put("Connection: Transfer-Encoding", "POST /c HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\nConnection: Transfer-Encoding\r\n\r\n" + hex + "\r\n" + s + "\r\n0\r\n\r\n");
        c.put("two Content-Lengths", "POST /c HTTP/1.1\r\n" + h + "Content-Length: 0\r\nContent-Length: " + s.length() + "\r\n\r\n" + s);
        c.put("Content-Length: +N", "POST /c HTTP/1.1\r\n" + h + "Content-Length: +" + s.length() + "\r\n\r\n" + s);
        c.put("chunk size overflow", "POST /c HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\n\r\n1000000000000000" + hex + "\r\n" + s + "\r\n0\r\n\r\n");
        c.put("chunk longer than its size", "POST /c HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\n\r\n1\r\nx" + s + "\r\n0\r\n\r\n");
        c.put("bare LF line ends", "POST /c HTTP/1.1\nHost: app.test\nContent-Length: " + s.length() + "\n\n" + s);
        c.put("bare CR in a field", "GET /c HTTP/1.1\r\n" + h + "X-A: a\rX-B: b\r\n\r\n");
        c.put("NUL in a field", "GET /c HTTP/1.1\r\n" + h + "X-A: a\0b\r\n\r\n");
        c.put("HTTP/2.0 request line", "GET /c HTTP/2.0\r\n" + h + "\r\n");
        c.put("no Host", "GET /c HTTP/1.1\r\n\r\n");
        c.put("two Hosts", "GET /c HTTP/1.1\r\n" + h + "Host: other.test\r\n\r\n");
        c.put("Host with a slash", "GET /c HTTP/1.1\r\nHost: app.test/x\r\n\r\n");
        c.put("absolute form with userinfo", "GET http://user@app.test/c HTTP/1.1\r\n" + h + "\r\n");
        c.put("TRACE", "TRACE /c HTTP/1.1\r\n" + h + "\r\n");
        return c;
    }

    @Test
    void graygateRefusesAtLeastWhatNginxRefusesAndLetsNothingSmuggledThrough() throws Exception {
        Path nginx = nginxBinary();
        assumeTrue(nginx != null, "no nginx binary");
        try (TestUpstream behindGraygate = TestUpstream.start("production");
             TestUpstream behindNginx = TestUpstream.start("production");
             ProxyHarness graygate = ProxyHarness.start(dir, ProxyHarness.twoGroups(behindGraygate.hostPort(), behindGraygate.hostPort(), "", "proxy:\n  ioThreads: 1\n"))) {
            int port = freePort();
            Process process = startNginx(nginx, port, behindNginx.hostPort());
            try {
                InetSocketAddress nginxAddress = new InetSocketAddress("127.0.0.1", port);
                Polling.await("nginx listens", Duration.ofSeconds(10), () -> listens(nginxAddress));
                StringBuilder table = new StringBuilder("| bytes | nginx 1.22 | graygate |\n| --- | --- | --- |\n");
                List<String> laxer = new ArrayList<>();
                for (Map.Entry<String, String> c : cases().entrySet()) {
                    String atNginx = outcome(nginxAddress, c.getValue(), behindNginx);
                    String atGraygate = outcome(graygate.address(), c.getValue(), behindGraygate);
                    table.append("| ").append(c.getKey()).append(" | ").append(atNginx).append(" | ").append(atGraygate).append(" |\n");
                    assertThat(atGraygate).as(c.getKey()).doesNotContain("smuggled");
                    if (!atNginx.startsWith("200") && atGraygate.startsWith("200")) laxer.add(c.getKey() + ": nginx " + atNginx + ", graygate " + atGraygate);
                }
                Files.writeString(Path.of("target", "nginx-comparison.md"), table);
                System.out.println(table);
                assertThat(laxer).as("cases nginx refuses and graygate forwards").isEmpty();
            } finally {
                process.destroy();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * The status of the first response (or "no response" when the proxy closes first), plus a note when the
     * upstream received the smuggled request. The client does not shut its output: nginx abandons a request whose
     * client half-closes.
     */
    private static String outcome(InetSocketAddress proxy, String bytes, TestUpstream upstream) {
        int before = upstream.requests().size();
        String status;
        try (RawHttpClient c = RawHttpClient.connect(proxy)) {
            status = String.valueOf(c.send(bytes).read().status());
        } catch (UncheckedIOException e) {
            status = "no response";
        }
        boolean smuggled = upstream.requests().stream().skip(before).anyMatch(r -> r.uri.contains("smuggled"));
        return smuggled ? status + " (smuggled request reached the upstream)" : status;
    }

    private Process startNginx(Path binary, int port, String upstream) throws IOException {
        Path prefix = Files.createDirectories(dir.resolve("nginx"));
        Files.createDirectories(prefix.resolve("logs"));
        String conf = """
                daemon off;
                master_process off;
                error_log %1$s/logs/error.log;
                pid %1$s/logs/nginx.pid;
                events { worker_connections 64; }
                http {
                  access_log off;
                  client_body_temp_path %1$s/body;
                  proxy_temp_path %1$s/proxy;
                  fastcgi_temp_path %1$s/fastcgi;
                  uwsgi_temp_path %1$s/uwsgi;
                  scgi_temp_path %1$s/scgi;
                  upstream up { server %2$s; keepalive 8; }
                  server {
                    listen 127.0.0.1:%3$d;
                    location / { proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection ""; }
                  }
                }
                """.formatted(prefix, upstream, port);
        Path file = prefix.resolve("nginx.conf");
        Files.writeString(file, conf);
        return new ProcessBuilder(binary.toString(), "-p", prefix.toString(), "-c", file.toString())
                .redirectErrorStream(true).redirectOutput(prefix.resolve("logs/stdout.log").toFile()).start();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static boolean listens(InetSocketAddress a) {
        try (Socket s = new Socket()) {
            s.connect(a, 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
