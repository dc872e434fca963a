package io.graygate.cli;

import io.graygate.testing.GatewayProcess;
import io.graygate.testing.Polling;
import io.graygate.testing.TestUpstream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code graygate serve} as an operator runs it: a child JVM, its banner, the CLI against it, and SIGTERM. */
class ServeProcessTest {

    @TempDir
    Path dir;

    private GatewayProcess serve;

    @AfterEach
    void stop() {
        if (serve != null) serve.close();
    }

    @Test
    void theDemoServesProductionUntilTheClientIsWhitelistedAndSigtermExitsZero() throws Exception {
        Path rules = dir.resolve("rules.json");
        serve = GatewayProcess.launch("demo", "--demo", "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", "--store", "file:" + rules)
                .awaitServing();
        URI adminUri = serve.adminUri();
        assertThat(serve.output()).anyMatch(line -> line.contains("graygate gray add --admin " + adminUri + " demo 127.0.0.1"));

        HttpResponse<String> before = serve.get("/");
        assertThat(before.body()).isEqualTo("production\n");
        assertThat(before.headers().firstValue("x-graygate-version")).hasValue("production");

        CliRun add = CliRun.of("gray", "add", "demo", "127.0.0.1", "--admin", adminUri.toString(), "--token=");
        assertThat(add.exitCode()).as(add.err()).isZero();
        HttpResponse<String> after = serve.get("/");
        assertThat(after.body()).isEqualTo("gray\n");
        assertThat(after.headers().firstValue("x-graygate-version")).hasValue("gray");

        serve.sigterm();
        assertThat(serve.awaitExit(Duration.ofSeconds(30))).as(String.join("\n", serve.output())).isZero();
        assertThat(Files.readString(rules)).contains("\"127.0.0.1\"");
    }

    @Test
    void sigtermLetsTheRequestInFlightFinishThenExitsZero() throws Exception {
        try (TestUpstream upstream = TestUpstream.start("production")) {
            serve = GatewayProcess.start(dir, "drain", GatewayProcess.oneUpstreamConfig(dir, upstream.hostPort(), ""));

            CompletableFuture<HttpResponse<String>> slow = serve.getAsync("/slow?delay=1500", Duration.ofSeconds(20));
            Polling.await("the slow request reaches the upstream", Duration.ofSeconds(10), () -> !upstream.requests().isEmpty());
            serve.sigterm(); // while the request is in flight

            HttpResponse<String> answered = slow.get(20, TimeUnit.SECONDS);
            assertThat(answered.statusCode()).isEqualTo(200);
            assertThat(answered.body()).isEqualTo("production");
            assertThat(serve.awaitExit(Duration.ofSeconds(30))).as(String.join("\n", serve.output())).isZero();
            assertThat(serve.output()).anyMatch(line -> line.contains("draining in-flight requests"));
        }
    }

    @Test
    void aTakenAdminPortIsOneLineAndExitCodeOne() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            serve = GatewayProcess.launch("taken", "--demo", "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:" + port,
                    "--store", "file:" + dir.resolve("r.json"));
            assertThat(serve.awaitExit(Duration.ofSeconds(60))).isEqualTo(1);
            assertThat(serve.output()).anyMatch(line -> line.startsWith("graygate: cannot start: admin.listen 127.0.0.1:" + port + ": cannot listen: "));
        }
    }
}
