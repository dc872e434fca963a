package io.graygate.proxy;

import io.graygate.testing.GatewayProcess;
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
        try (TestUpstream up = TestUpstream.start("production");
             GatewayProcess g = GatewayProcess.start(dir, "nio", GatewayProcess.oneUpstreamConfig(dir, up.hostPort(), ""), List.of("-Xmx64m", "-Dio.netty.transport.noNative=true"))) {
            assertThat(g.output()).anyMatch(l -> l.contains("proxy listening on") && l.contains("(nio, "));
            InetSocketAddress proxy = g.proxyAddress();
            try (RawHttpClient c = RawHttpClient.connect(proxy)) {
                assertThat(c.get("/a", "app.test").read().bodyText()).isEqualTo("production");
                c.send("POST /e?echo=body HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
                assertThat(c.read().bodyText()).isEqualTo("hello");
                assertThat(c.get("/big?download=3000000", "app.test").read().body()).hasSize(3_000_000);
            }
            assertThat(up.connections()).isEqualTo(1);
        }
    }
}
