package io.graygate.cli;

import io.graygate.testing.GatewayProcess;
import io.graygate.testing.Polling;
import io.graygate.testing.TestCertificates;
import io.graygate.testing.TestUpstream;
import io.graygate.testing.TlsProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** A running {@code graygate serve} reloads its file, TLS certificates included, on SIGHUP (systemd's ExecReload) and on {@code graygate reload}. */
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

    @Test
    void sighupAndTheReloadCommandTakeNewCertificatesAndABadOneRefusesTheWholeReload() throws Exception {
        TestCertificates.Pair a = TestCertificates.issue(dir, "a", "a.test");
        TestCertificates.Pair b = TestCertificates.issue(dir, "b", "b.test");
        try (TestUpstream app = TestUpstream.start("app");
             TestUpstream api = TestUpstream.start("api");
             GatewayProcess g = GatewayProcess.start(dir, "tls", tlsConfig(a.yaml(), app, ""))) {
            Path file = dir.resolve("tls.yaml");
            URI https = g.proxyUris().get(0);
            InetSocketAddress at = new InetSocketAddress(https.getHost(), https.getPort());
            assertThat(TlsProbe.servedName(at, "b.test")).isEqualTo("a.test");

            Files.writeString(file, tlsConfig(b.yaml(), app, ""));
            assertThat(new ProcessBuilder("kill", "-HUP", Long.toString(g.pid())).start().waitFor()).isZero();
            Polling.await("b's certificate in force after SIGHUP", Duration.ofSeconds(10), () -> {
                try {
                    return TlsProbe.servedName(at, "b.test").equals("b.test");
                } catch (IOException e) {
                    throw new UncheckedIOException(e); // the listener stays up through a reload
                }
            });
            Polling.await("the reload logged", Duration.ofSeconds(10), () -> g.output().stream().anyMatch(l -> l.contains("config reloaded: certificates " + https)));

            String apiRoute = "  - {name: api, pathPrefix: /api, stripPrefix: true, stable: api, gray: api}\n";
            String mismatched = "{cert: \"" + a.cert() + "\", key: \"" + b.key() + "\"}";
            Files.writeString(file, tlsConfig(mismatched, app, apiRoute).replace("upstreams:\n", "upstreams:\n  api: {servers: [\"" + api.hostPort() + "\"]}\n"));
            CliRun bad = CliRun.of("reload", "--admin", g.adminUri().toString());
            assertThat(bad.exitCode()).isEqualTo(1);
            assertThat(bad.err()).isEqualTo("graygate: reload refused, the configuration in force stays: listeners[0].tls.certificates[0].key: "
                    + b.key() + ": the key does not match the certificate\n");
            assertThat(TlsProbe.servedName(at, "b.test")).as("b's certificate stays").isEqualTo("b.test");
            assertThat(get(at, "/api/x")).as("the route in the refused file is not in force").endsWith("\r\n\r\napp");

            Files.writeString(file, tlsConfig(a.yaml(), app, apiRoute).replace("upstreams:\n", "upstreams:\n  api: {servers: [\"" + api.hostPort() + "\"]}\n"));
            CliRun good = CliRun.of("reload", "--admin", g.adminUri().toString());
            assertThat(good.err()).isEmpty();
            assertThat(good.out()).isEqualTo("reloaded: routes +api, upstreams +api, servers +api " + api.hostPort() + ", certificates " + https + "\n");
            assertThat(TlsProbe.servedName(at, "b.test")).isEqualTo("a.test");
            assertThat(get(at, "/api/x")).endsWith("\r\n\r\napi");

            CliRun again = CliRun.of("reload", "--admin", g.adminUri().toString());
            assertThat(again.out()).as("the same files again").isEqualTo("reloaded: no route, upstream or certificate changed\n");
        }
    }

    private static String get(InetSocketAddress at, String path) throws IOException {
        try (TlsProbe c = TlsProbe.connect(at, "a.test")) {
            return c.exchange("GET " + path + " HTTP/1.1\r\nHost: a.test\r\n\r\n");
        }
    }

    /** A gateway with one TLS listener serving these certificates, a file store in the test's directory, and route "app". */
    private String tlsConfig(String certificates, TestUpstream app, String moreRoutes) {
        return GatewayProcess.oneTlsUpstreamConfig(dir, certificates, app.hostPort(), moreRoutes);
    }
}
