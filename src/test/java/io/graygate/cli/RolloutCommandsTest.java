package io.graygate.cli;

import io.graygate.Gateway;
import io.graygate.config.ConfigLoader;
import io.graygate.config.GatewayConfig;
import io.graygate.testing.Polling;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code graygate rollout ...} against a running gateway, and the admin API's answers behind it. */
class RolloutCommandsTest {

    @TempDir
    Path dir;

    private Gateway gateway;

    @BeforeEach
    void start() {
        GatewayConfig config = ConfigLoader.parse("""
                listen: 127.0.0.1:0
                admin: {listen: 127.0.0.1:0}
                store: file:%s
                upstreams:
                  production: {servers: ["127.0.0.1:9"]}
                  gray: {servers: ["127.0.0.1:9"]}
                routes:
                  - {name: demo, stable: production, gray: gray}
                """.formatted(dir.resolve("rules.json")), Map.of());
        gateway = Gateway.start(config);
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    private String admin() {
        return "http://127.0.0.1:" + gateway.adminPort();
    }

    private CliRun graygate(String... args) {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        all.addAll(List.of("--admin", admin(), "--token="));
        return CliRun.of(all.toArray(new String[0]));
    }

    private HttpResponse<String> http(String method, String path, String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(admin() + path)).method(method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void startFromOptionsThenStatusPauseResumeAndPromote() throws Exception {
        CliRun r = graygate("rollout", "start", "demo", "--version", "gray", "--steps", "10,50,100", "--pause", "1m", "--interval", "1s",
                "--max-error-rate", "1%", "--max-p99", "500ms");
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).isEqualTo("demo: rollout of gray started, step 1 of 3 (10%); follow it with: graygate rollout status demo --watch\n");
        Polling.await("the first step in force", Duration.ofSeconds(20),
                () -> gateway.rules().state("demo").policy().rule("ramp") != null);

        CliRun status = graygate("rollout", "status", "demo");
        assertThat(status.exitCode()).isZero();
        assertThat(status.out()).startsWith("demo: rollout of gray ").contains("step 1 of 3, gray at 10% (split ramp)")
                .contains("analysis every 1s: minRequests 100, maxErrorRate 1%, maxP99 500ms; onSuccess switch, onAbort rollback")
                .contains("  1     10%     1m");

        CliRun again = graygate("rollout", "start", "demo", "--version", "gray", "--steps", "10");
        assertThat(again.exitCode()).isEqualTo(CliException.REFUSED);
        assertThat(again.err()).startsWith("graygate: route demo already has a rollout of gray");
        assertThat(http("POST", "/api/routes/demo/rollout", "{\"version\": \"gray\", \"steps\": [{\"weight\": 5}]}").statusCode()).isEqualTo(409);

        assertThat(graygate("rollout", "pause", "demo").out()).startsWith("demo: rollout of gray paused, step 1 of 3, gray at 10% (paused by admin (");
        CliRun twice = graygate("rollout", "pause", "demo");
        assertThat(twice.err()).isEqualTo("graygate: cannot pause the rollout of gray on route demo: it is paused already\n");
        assertThat(graygate("rollout", "resume", "demo").out()).startsWith("demo: rollout of gray progressing");
        assertThat(graygate("rollout", "promote", "demo").out()).startsWith("demo: rollout of gray succeeded, step 1 of 3");
        Polling.await("everyone on gray", Duration.ofSeconds(20), () -> "gray".equals(gateway.rules().state("demo").policy().override()));
        assertThat(graygate("rollout", "abort", "demo").err()).isEqualTo("graygate: cannot abort the rollout of gray on route demo: it is succeeded\n");
        assertThat(graygate("rollout", "status", "demo", "--watch").out()).contains("rollout of gray succeeded");
    }

    @Test
    void aBadSpecIsRefusedNamingTheFieldAndNothingStarts() throws Exception {
        Path file = dir.resolve("rollout.yaml");
        Files.writeString(file, """
                rollout:
                  version: gray
                  steps: [{weight: 10, pause: 1m}, {weight: 5, pause: 1m}]
                """);
        CliRun r = graygate("rollout", "start", "demo", file.toString());
        assertThat(r.exitCode()).isEqualTo(CliException.REFUSED);
        assertThat(r.err()).isEqualTo("graygate: steps[1].weight: must be more than the step before's 10 (weights go up step by step), got 5\n");
        HttpResponse<String> bad = http("POST", "/api/routes/demo/rollout", "{\"version\": \"gray\", \"steps\": [{\"weight\": 5}], \"analysis\": {\"interval\": \"500ms\"}}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("analysis.interval: must be whole seconds from 1s to 5m");
        HttpResponse<String> none = http("GET", "/api/routes/demo/rollout", null);
        assertThat(none.statusCode()).isEqualTo(200);
        assertThat(none.body().strip()).isEqualTo("null");
        CliRun status = graygate("rollout", "status", "demo");
        assertThat(status.exitCode()).isEqualTo(CliException.REFUSED);
        assertThat(status.err()).isEqualTo("graygate: route demo has no rollout; start one with graygate rollout start\n");
        assertThat(http("GET", "/api/routes/nope/rollout", null).statusCode()).isEqualTo(404);
        assertThat(http("POST", "/api/routes/demo/rollout/abort", null).statusCode()).isEqualTo(404);
        assertThat(gateway.rules().state("demo").policy().rule("ramp")).isNull();
    }

    @Test
    void aFileOrOptionsNotBoth() throws Exception {
        Path file = dir.resolve("r.yaml");
        Files.writeString(file, "{version: gray, steps: [{weight: 10}]}");
        CliRun r = graygate("rollout", "start", "demo", file.toString(), "--version", "gray");
        assertThat(r.exitCode()).isEqualTo(CliException.USAGE);
        assertThat(r.err()).isEqualTo("graygate: rollout start: give a FILE or options, not both\n");
        CliRun neither = graygate("rollout", "start", "demo");
        assertThat(neither.exitCode()).isEqualTo(CliException.USAGE);
        CliRun ok = graygate("rollout", "start", "demo", file.toString());
        assertThat(ok.exitCode()).isZero();
    }
}
