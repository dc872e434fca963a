package io.graygate.cli;

import io.graygate.config.GatewayConfig;
import io.graygate.config.HostPort;
import io.graygate.config.RouteConfig;
import io.graygate.config.ServerConfig;
import io.graygate.policy.Mode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class ServeCommandTest {

    @TempDir
    Path dir;

    private Path write(String name, String yaml) throws IOException {
        return Files.writeString(dir.resolve(name), yaml);
    }

    @Test
    void aBadConfigurationIsOneLineNamingFileAndPathAndExitCodeTwo() throws IOException {
        Path bad = write("bad.yaml", """
                upstreams:
                  production:
                    servers: ["127.0.0.1:9001"]
                routes:
                  - name: demo
                    stable: prod
                    gray: production
                """);
        CliRun r = CliRun.of("serve", "--config", bad.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("graygate: config " + bad + ": routes[0].stable: no upstream named \"prod\"\n");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void aCertificateThatCannotBeReadStopsTheStartWithItsPathAndExitCodeTwo() throws IOException {
        Path missing = dir.resolve("missing.crt");
        Path bad = write("tls.yaml", """
                listeners:
                  - address: 127.0.0.1:0
                    tls: {certificates: [{cert: "%s", key: "%s"}]}
                admin: {listen: 127.0.0.1:0}
                store: file:%s
                """.formatted(missing, dir.resolve("missing.key"), dir.resolve("rules.json")));
        CliRun r = CliRun.of("serve", "--config", bad.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("graygate: config " + bad + ": listeners[0].tls.certificates[0].cert: " + missing + ": no such file\n");
    }

    @Test
    void anUnknownKeyIsOneLineAndExitCodeTwo() throws IOException {
        Path bad = write("typo.yaml", "listen: 127.0.0.1:0\nlisten_admin: 127.0.0.1:0\n");
        CliRun r = CliRun.of("serve", "--config", bad.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("graygate: config " + bad + ": listen_admin: unknown key; known keys here: "
                + "[listen, listeners, admin, store, clientIp, upstreams, routes, proxy, audit]\n");
    }

    @Test
    void aMissingConfigurationFileIsNamedOnce() {
        Path missing = dir.resolve("missing.yaml");
        CliRun r = CliRun.of("serve", "--config", missing.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("graygate: config " + missing + ": no such file\n");
    }

    @Test
    void serveNeedsExactlyOneOfConfigAndDemo() throws IOException {
        CliRun neither = CliRun.of("serve");
        assertThat(neither.exitCode()).isEqualTo(2);
        assertThat(neither.err()).isEqualTo("graygate: serve needs --config FILE or --demo (one of them)\n");
        CliRun both = CliRun.of("serve", "--demo", "--config", write("any.yaml", "listen: 127.0.0.1:0\n").toString());
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).isEqualTo(neither.err());
    }

    @Test
    void aBadOverrideIsAUsageError() throws IOException {
        Path good = write("good.yaml", "listen: 127.0.0.1:0\n");
        CliRun badListen = CliRun.of("serve", "--config", good.toString(), "--listen", "nowhere");
        assertThat(badListen.exitCode()).isEqualTo(2);
        assertThat(badListen.err()).startsWith("Invalid value for option '--listen': expected host:port, got \"nowhere\"");
        CliRun badStore = CliRun.of("serve", "--config", good.toString(), "--store", "mysql://db");
        assertThat(badStore.exitCode()).isEqualTo(2);
        assertThat(badStore.err()).isEqualTo("graygate: store: expected file:PATH, redis://, rediss:// or redis-sentinel://, got \"mysql://db\"\n");
    }

    @Test
    void theDemoIsOneRouteBetweenTwoStandInsWithLoopbackTrustedAndTheVersionHeaderOn() {
        GatewayConfig c = ServeCommand.demoConfig(new HostPort("127.0.0.1", 41001), new HostPort("127.0.0.1", 41002));
        assertThat(c.listen()).isEqualTo(new HostPort("127.0.0.1", 8080));
        assertThat(c.admin().listen()).isEqualTo(new HostPort("127.0.0.1", 9090));
        assertThat(c.admin().requiresToken()).isFalse();
        assertThat(c.store()).isEqualTo("file:./graygate-rules.json");
        assertThat(c.clientIp().trustedProxies()).containsExactly("127.0.0.1/32", "::1/128");
        assertThat(c.proxy().versionHeader()).isTrue();
        assertThat(c.upstreams().get("production").servers()).containsExactly(ServerConfig.of("127.0.0.1:41001"));
        assertThat(c.upstreams().get("gray").servers()).containsExactly(ServerConfig.of("127.0.0.1:41002"));
        RouteConfig demo = c.route("demo");
        assertThat(demo.pathPrefix()).isEqualTo("/");
        assertThat(demo.upstreamOf("production")).isEqualTo("production");
        assertThat(demo.upstreamOf("gray")).isEqualTo("gray");
        assertThat(demo.policy().mode()).isEqualTo(Mode.GRAY);
        assertThat(c.routes()).hasSize(1);
    }

    @Test
    void flagsOverrideTheDemosAddressesAndStore() {
        ServeCommand serve = new ServeCommand();
        new CommandLine(serve).parseArgs("--demo", "--listen", "127.0.0.1:0", "--admin-listen", "[::1]:0", "--store", "file:" + dir.resolve("r.json"));
        GatewayConfig c = serve.withOverrides(ServeCommand.demoConfig(new HostPort("127.0.0.1", 41001), new HostPort("127.0.0.1", 41002)));
        assertThat(c.listen()).isEqualTo(new HostPort("127.0.0.1", 0));
        assertThat(c.admin().listen()).isEqualTo(new HostPort("::1", 0));
        assertThat(c.store()).isEqualTo("file:" + dir.resolve("r.json"));
        assertThat(c.route("demo")).isNotNull();
    }

    @Test
    void aDemoUpstreamAnswersItsNameToEveryRequest() throws Exception {
        try (DemoUpstream production = DemoUpstream.start("production"); DemoUpstream gray = DemoUpstream.start("gray")) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
            for (String path : new String[] {"/", "/order_center/list?x=1", "/"}) {
                HttpResponse<String> p = client.send(HttpRequest.newBuilder(URI.create("http://" + production.address() + path)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(p.statusCode()).isEqualTo(200);
                assertThat(p.body()).isEqualTo("production\n");
            }
            HttpResponse<String> g = client.send(HttpRequest.newBuilder(URI.create("http://" + gray.address() + "/x"))
                    .POST(HttpRequest.BodyPublishers.ofString("payload")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(g.body()).isEqualTo("gray\n");
            assertThat(production.address().host()).isEqualTo("127.0.0.1");
            assertThat(production.address().port()).isNotEqualTo(gray.address().port());
        }
    }
}
