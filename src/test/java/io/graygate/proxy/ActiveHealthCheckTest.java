package io.graygate.proxy;

import ch.qos.logback.classic.Level;
import com.sun.net.httpserver.HttpServer;
import io.graygate.testing.LogCapture;
import io.graygate.testing.Polling;
import io.graygate.testing.RawHttpClient;
import io.graygate.testing.TestUpstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Active health checks take a server that answers its check badly out of the rotation, and bring it back. */
class ActiveHealthCheckTest {

    @TempDir
    Path dir;

    @Test
    void aServerFailingItsChecksIsTakenOutAndComesBackWhenTheyPass() throws Exception {
        AtomicInteger healthStatus = new AtomicInteger(200);
        AtomicInteger served = new AtomicInteger();
        AtomicInteger checks = new AtomicInteger();
        HttpServer b = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        b.createContext("/", exchange -> {
            byte[] body = "b".getBytes(StandardCharsets.UTF_8);
            int status = 200;
            if (exchange.getRequestURI().getPath().equals("/healthz")) {
                checks.incrementAndGet();
                status = healthStatus.get();
            } else {
                served.incrementAndGet();
            }
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        b.start();
        String bAddress = "127.0.0.1:" + b.getAddress().getPort();
        try (TestUpstream a = TestUpstream.start("a");
             LogCapture logs = LogCapture.of(Level.INFO, ServerHealth.class.getName());
             ProxyHarness p = ProxyHarness.start(dir, """
                     upstreams:
                       production:
                         servers: ["%s", "%s"]
                         healthCheck: {path: /healthz, interval: 100ms, timeout: 1s, healthy: 2, unhealthy: 2, expectStatus: 2xx}
                     routes:
                       - {name: demo, stable: production, gray: production}
                     """.formatted(a.hostPort(), bAddress));
             RawHttpClient c = RawHttpClient.connect(p.address())) {
            Polling.await("health checks of b", Duration.ofSeconds(10), () -> checks.get() >= 2);
            StringBuilder answers = new StringBuilder();
            for (int i = 0; i < 4; i++) answers.append(c.get("/", "app.test").read().bodyText());
            assertThat(answers.toString()).contains("a").contains("b");

            healthStatus.set(503);
            Polling.await("b to be taken out", Duration.ofSeconds(10),
                    () -> !logs.messages(Level.WARN, "upstream unhealthy: " + bAddress).isEmpty());
            int servedWhenOut = served.get();
            for (int i = 0; i < 20; i++) assertThat(c.get("/", "app.test").read().bodyText()).isEqualTo("a");
            assertThat(served.get()).isEqualTo(servedWhenOut);

            healthStatus.set(200);
            Polling.await("b to be back", Duration.ofSeconds(10), () -> {
                c.get("/", "app.test").read();
                return served.get() > servedWhenOut;
            });
            assertThat(logs.messages(Level.WARN, "upstream unhealthy: " + bAddress)).hasSize(1);
            assertThat(logs.messages(Level.WARN, "upstream unhealthy: " + bAddress).get(0)).contains("GET /healthz answered 503");
            assertThat(logs.messages(Level.INFO, "upstream healthy again: " + bAddress)).hasSize(1);
        } finally {
            b.stop(0);
        }
    }
}
