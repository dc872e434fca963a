package io.graygate.cli;

import io.graygate.testing.GatewayProcess;
import io.graygate.testing.Polling;
import io.graygate.testing.TestUpstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** A running {@code graygate serve} reloads its file on SIGHUP (systemd's ExecReload) and on {@code graygate reload}. */
class ReloadProcessTest {

    @TempDir
    Path dir;

    @Test
    void sighupAndTheReloadCommandPutTheEditedFileInForce() throws Exception {
        try (TestUpstream app = TestUpstream.start("app");
             TestUpstream api = TestUpstream.start("api");
             GatewayProcess g = GatewayProcess.start(dir, "node", GatewayProcess.oneUpstreamConfig(dir, app.hostPort(), ""))) {
            Path file = dir.resolve("node.yaml");
            assertThat(g.get("/api/x").body()).isEqualTo("app");
            Files.writeString(file, Files.readString(file).replace("routes:\n", "  api: {servers: [\"" + api.hostPort() + "\"]}\nroutes:\n")
                    + "  - {name: api, pathPrefix: /api, stripPrefix: true, stable: api, gray: api}\n");
            assertThat(new ProcessBuilder("kill", "-HUP", Long.toString(g.pid())).start().waitFor()).isZero();
            Polling.await("the api route to serve", Duration.ofSeconds(10), () -> {
                try {
                    return g.get("/api/x").body().equals("api");
                } catch (Exception e) {
                    return false;
                }
            });
            assertThat(api.lastRequest().uri).isEqualTo("/x");
            assertThat(g.isAlive()).isTrue();

            Files.writeString(file, Files.readString(file).replace("stripPrefix: true", "stripPrefix: nope"));
            CliRun bad = CliRun.of("reload", "--admin", g.adminUri().toString());
            assertThat(bad.exitCode()).isEqualTo(1);
            assertThat(bad.err()).startsWith("graygate: reload refused, the configuration in force stays: routes[1].stripPrefix: ");
            assertThat(g.get("/api/y").body()).isEqualTo("api");

            Files.writeString(file, GatewayProcess.oneUpstreamConfig(dir, app.hostPort(), ""));
            CliRun good = CliRun.of("reload", "--admin", g.adminUri().toString());
            assertThat(good.err()).isEmpty();
            assertThat(good.out()).isEqualTo("reloaded: routes -api, upstreams -api, servers -api " + api.hostPort() + "\n");
            assertThat(g.get("/api/x").body()).isEqualTo("app");
            assertThat(g.output()).anyMatch(l -> l.contains("config reloaded: routes +api, upstreams +api, servers +api " + api.hostPort()));
        }
    }
}
