package io.graygate.proxy;

import io.graygate.testing.RawHttpClient;
import io.graygate.testing.TestUpstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where epoll cannot load the proxy runs on Java NIO. Netty decides that once per JVM, so this runs the proxy in a
 * child JVM with the native transport switched off.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NioTransportTest {

    @TempDir
    Path dir;

    @Test
    void proxyServesOverNioWhenEpollIsUnavailable() throws Exception {
        try (TestUpstream up = TestUpstream.start("production")) {
            Path config = dir.resolve("graygate.yaml");
            Files.writeString(config, """
                    listen: 127.0.0.1:0
                    store: file:%s
                    upstreams:
                      production: {servers: ["%s"]}
                    routes:
                      - {name: demo, stable: production, gray: production}
                    """.formatted(dir.resolve("rules.json"), up.hostPort()));
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process child = new ProcessBuilder(java, "-Xmx64m", "-Dio.netty.transport.noNative=true", "-Dlogback.configurationFile=logback.xml",
                    "-cp", System.getProperty("java.class.path"), ProxyMain.class.getName(), config.toString())
                    .redirectErrorStream(true).start();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
                List<String> lines = new ArrayList<>();
                String line;
                int port = -1;
                while (port < 0 && (line = out.readLine()) != null) {
                    lines.add(line);
                    if (line.startsWith("LISTENING ")) port = Integer.parseInt(line.substring(10).trim());
                }
                assertThat(port).as(String.join("\n", lines)).isPositive();
                assertThat(lines).anyMatch(l -> l.contains("proxy listening on") && l.contains("(nio, "));
                try (RawHttpClient c = RawHttpClient.connect(new InetSocketAddress("127.0.0.1", port))) {
                    assertThat(c.get("/a", "app.test").read().bodyText()).isEqualTo("production");
                    c.send("POST /e?echo=body HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
                    assertThat(c.read().bodyText()).isEqualTo("hello");
                    assertThat(c.get("/big?download=3000000", "app.test").read().body()).hasSize(3_000_000);
                }
                assertThat(up.connections()).isEqualTo(1);
            } finally {
                child.getOutputStream().close();
                if (!child.waitFor(20, TimeUnit.SECONDS)) child.destroyForcibly().waitFor();
            }
        }
    }
}
