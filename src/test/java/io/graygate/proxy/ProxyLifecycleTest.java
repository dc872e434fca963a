package io.graygate.proxy;

import io.graygate.testing.Polling;
import io.graygate.testing.RawHttpClient;
import io.graygate.testing.TestUpstream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Start and close: binding, draining in-flight requests, refusing new connections, idempotence. */
class ProxyLifecycleTest {

    @TempDir
    Path dir;

    TestUpstream up;

    @BeforeEach
    void start() {
        up = TestUpstream.start("production");
    }

    @AfterEach
    void stop() {
        up.close();
    }

    private ProxyHarness proxy(String extra) {
        return ProxyHarness.start(dir, ProxyHarness.twoGroups(up.hostPort(), up.hostPort(), "", extra));
    }

    private static boolean refusesConnections(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void closeLetsAnInFlightRequestFinishWhileNewConnectionsAreRefused() {
        ProxyHarness p = proxy("proxy:\n  drainTimeout: 10s\n");
        int port = p.address().getPort();
        CompletableFuture<HttpResponse<String>> slow = CompletableFuture.supplyAsync(() -> p.get("/slow?delay=1500"));
        Polling.await("the slow request to be in flight", Duration.ofSeconds(5), () -> p.proxy.inFlight() == 1);
        CompletableFuture<Void> closing = CompletableFuture.runAsync(p::close);

        Polling.await("new connections to be refused", Duration.ofSeconds(5), () -> refusesConnections(port));
        assertThat(slow).isNotDone();
        HttpResponse<String> r = slow.join();
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("production");
        closing.join();
        assertThat(p.proxy.inFlight()).isZero();
    }

    @Test
    void closeHangsUpIdleKeptAliveConnections() {
        ProxyHarness p = proxy("");
        try (RawHttpClient c = RawHttpClient.connect(p.address())) {
            assertThat(c.get("/", "app.test").read().status()).isEqualTo(200);
            p.close();
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void requestStillRunningAtTheDrainTimeoutIsCutOff() {
        ProxyHarness p = proxy("proxy:\n  drainTimeout: 200ms\n");
        CompletableFuture<HttpResponse<String>> slow = CompletableFuture.supplyAsync(() -> p.get("/slow?delay=5000"));
        Polling.await("the slow request to be in flight", Duration.ofSeconds(5), () -> p.proxy.inFlight() == 1);
        long start = System.nanoTime();
        p.close();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        assertThatThrownBy(slow::join).hasRootCauseInstanceOf(IOException.class);
    }

    @Test
    void webSocketTunnelIsClosedAfterTheIdleTimeoutOnceNoBytesMove() {
        try (ProxyHarness p = proxy("proxy:\n  idleTimeout: 1s\n");
             RawHttpClient c = RawHttpClient.connect(p.address())) {
            c.send("GET /ws HTTP/1.1\r\nHost: app.test\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n");
            assertThat(c.read(true).status()).isEqualTo(101);
            assertThat(new String(c.readBytes("production upgraded\n".length()))).isEqualTo("production upgraded\n");
            c.send("ping");
            assertThat(new String(c.readBytes(4))).isEqualTo("ping");
            long quietFrom = System.nanoTime();
            assertThat(c.closedByServer()).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - quietFrom)).isBetween(Duration.ofMillis(900), Duration.ofSeconds(5));
        }
    }

    @Test
    void idleClientConnectionIsClosedAfterTheIdleTimeoutButABusyOneIsNot() {
        try (ProxyHarness p = proxy("proxy:\n  idleTimeout: 1s\n");
             RawHttpClient busy = RawHttpClient.connect(p.address());
             RawHttpClient idle = RawHttpClient.connect(p.address())) {
            assertThat(idle.get("/", "app.test").read().status()).isEqualTo(200);
            long start = System.nanoTime();
            assertThat(busy.get("/slow?delay=2500", "app.test").read().status()).isEqualTo(200);
            assertThat(idle.closedByServer()).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(6));
            assertThat(busy.get("/again", "app.test").read().status()).isEqualTo(200);
        }
    }

    @Test
    void closeTwiceIsHarmless() {
        ProxyHarness p = proxy("");
        p.close();
        p.proxy.close();
        assertThat(p.proxy.inFlight()).isZero();
    }

    @Test
    void addressInUseFailsTheStartNamingTheListenAddress() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
            var config = ProxyHarness.config(dir, ProxyHarness.twoGroups(up.hostPort(), up.hostPort(), "", ""))
                    .withListen(new io.graygate.config.HostPort("127.0.0.1", taken.getLocalPort()));
            ProxyServer server = new ProxyServer(config, () -> io.graygate.routing.RouteTable.EMPTY);
            assertThatThrownBy(server::start)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("listen: cannot bind 127.0.0.1:" + taken.getLocalPort() + ": ");
            server.close();
        }
    }

    @Test
    void upstreamHostThatDoesNotResolveFailsTheStartNamingThePath() {
        var config = ProxyHarness.config(dir, ProxyHarness.twoGroups(up.hostPort(), "no-such-host.invalid:80", "", ""));
        ProxyServer server = new ProxyServer(config, () -> io.graygate.routing.RouteTable.EMPTY);
        assertThatThrownBy(server::start).hasMessageStartingWith("upstreams.gray.servers[0]: cannot resolve host \"no-such-host.invalid\": ");
        server.close();
    }
}
