package io.graygate.proxy;

import io.graygate.testing.Polling;
import io.graygate.testing.RawHttpClient;
import io.graygate.testing.TestUpstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** Upstream keep-alive: reuse, round-robin, the idle timeout, the idle limit, and connections the upstream closed. */
class UpstreamPoolingTest {

    @TempDir
    Path dir;

    private static String oneLoop(String extra) {
        return "proxy:\n  ioThreads: 1\n" + extra;
    }

    @Test
    void serversOfAGroupAreTakenInTurn() {
        try (TestUpstream a = TestUpstream.start("a");
             TestUpstream b = TestUpstream.start("b");
             ProxyHarness p = ProxyHarness.start(dir, """
                     upstreams:
                       production: {servers: ["%s", "%s"]}
                     routes:
                       - {name: demo, stable: production, gray: production}
                     %s
                     """.formatted(a.hostPort(), b.hostPort(), oneLoop("")));
             RawHttpClient c = RawHttpClient.connect(p.address())) {
            StringBuilder answers = new StringBuilder();
            for (int i = 0; i < 6; i++) answers.append(c.get("/", "app.test").read().bodyText());
            assertThat(answers.toString()).isEqualTo("ababab");
            assertThat(a.connections()).isEqualTo(1);
            assertThat(b.connections()).isEqualTo(1);
        }
    }

    @Test
    void idleUpstreamConnectionsAreClosedAfterTheIdleTimeout() {
        try (TestUpstream up = TestUpstream.start("production");
             ProxyHarness p = ProxyHarness.start(dir, ProxyHarness.twoGroups(up.hostPort(), up.hostPort(), "",
                     oneLoop("  upstreamIdleTimeout: 1s\n")))) {
            assertThat(p.get("/").statusCode()).isEqualTo(200);
            assertThat(p.proxy.idleUpstreamConnections()).isEqualTo(1);
            Polling.await("the idle upstream connection to close", Duration.ofSeconds(5), () -> up.openConnections() == 0);
            assertThat(p.proxy.idleUpstreamConnections()).isZero();
            assertThat(p.get("/").body()).isEqualTo("production");
        }
    }

    @Test
    void atMostMaxIdlePerServerConnectionsAreKept() {
        try (TestUpstream up = TestUpstream.start("production");
             ProxyHarness p = ProxyHarness.start(dir, ProxyHarness.twoGroups(up.hostPort(), up.hostPort(), "",
                     oneLoop("  maxIdlePerServer: 2\n")))) {
            List<CompletableFuture<HttpResponse<String>>> concurrent = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) concurrent.add(CompletableFuture.supplyAsync(() -> p.get("/slow?delay=300")));
            for (CompletableFuture<HttpResponse<String>> f : concurrent) assertThat(f.join().statusCode()).isEqualTo(200);
            assertThat(up.connections()).isEqualTo(4);
            Polling.await("surplus connections to close", Duration.ofSeconds(5), () -> up.openConnections() == 2);
            assertThat(p.proxy.idleUpstreamConnections()).isEqualTo(2);
        }
    }

    @Test
    void connectionTheUpstreamClosedLeavesThePool() {
        try (TestUpstream up = TestUpstream.start("production");
             ProxyHarness p = ProxyHarness.start(dir, ProxyHarness.twoGroups(up.hostPort(), up.hostPort(), "", oneLoop("")))) {
            assertThat(p.get("/").statusCode()).isEqualTo(200);
            assertThat(p.proxy.idleUpstreamConnections()).isEqualTo(1);
            up.closeConnections();
            Polling.await("the pool to drop the closed connection", Duration.ofSeconds(5), () -> p.proxy.idleUpstreamConnections() == 0);
            assertThat(p.get("/").body()).isEqualTo("production");
            assertThat(up.requests()).hasSize(2); // no failed attempt on the dead connection
        }
    }
}
