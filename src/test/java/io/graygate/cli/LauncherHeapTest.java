package io.graygate.cli;

import io.graygate.testing.GatewayProcess;
import io.graygate.testing.TestUpstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The launcher's heap options ({@link GatewayProcess#DEFAULT_JVM}, the same as the {@code graygate} script, the
 * Dockerfile and the systemd unit) leave room for what the README promises the admin API takes: a 1,000,000-address
 * whitelist in one POST. With {@code -Xmx128m} this request ended the process in an OutOfMemoryError.
 */
class LauncherHeapTest {

    static final int ADDRESSES = 1_000_000;

    @TempDir
    Path dir;

    @Test
    void aMillionAddressWhitelistInOnePostIsTakenAndTheGatewayLivesOn() throws Exception {
        StringBuilder body = new StringBuilder(ADDRESSES * 16).append("{\"entries\": [");
        for (int i = 0; i < ADDRESSES; i++) {
            int a = (10 << 24) | (i + 1);
            if (i > 0) body.append(',');
            body.append('"').append(a >>> 24).append('.').append(a >>> 16 & 0xFF).append('.').append(a >>> 8 & 0xFF).append('.').append(a & 0xFF).append('"');
        }
        body.append("]}");
        try (TestUpstream upstream = TestUpstream.start("production");
             GatewayProcess gateway = GatewayProcess.start(dir, "heap", GatewayProcess.oneUpstreamConfig(dir, upstream.hostPort(), ""))) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpResponse<String> posted = http.send(HttpRequest.newBuilder(gateway.adminUri().resolve("/api/routes/app/whitelist"))
                    .timeout(Duration.ofSeconds(120)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(posted.statusCode()).as(posted.body()).isEqualTo(200);
            assertThat(gateway.isAlive()).as(String.join("\n", gateway.output())).isTrue();

            // the last address of the million is in force: explain sends it to gray, one outside the set to production
            String last = "10.15.66.64"; // 10.0.0.0 + 1,000,000
            assertThat(gateway.admin("GET", "/api/explain?route=app&ip=" + last, null).body()).contains("\"version\":\"gray\"");
            assertThat(gateway.admin("GET", "/api/explain?route=app&ip=10.15.66.65", null).body()).contains("\"version\":\"production\"");
            assertThat(gateway.get("/").statusCode()).isEqualTo(200);
        }
    }
}
