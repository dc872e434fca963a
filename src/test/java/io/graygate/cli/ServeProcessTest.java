package io.graygate.cli;

import io.graygate.testing.Polling;
import io.graygate.testing.TestUpstream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code graygate serve} as an operator runs it: a child JVM, its banner, the CLI against it, and SIGTERM. */
class ServeProcessTest {

    private static final Pattern PROXY = Pattern.compile("^\\s*proxy\\s+(http://\\S+)");
    private static final Pattern ADMIN = Pattern.compile("^\\s*admin API\\s+(http://\\S+)");

    @TempDir
    Path dir;

    private Process process;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private final CompletableFuture<URI> proxy = new CompletableFuture<>();
    private final CompletableFuture<URI> admin = new CompletableFuture<>();
    private final CompletableFuture<Void> bannerDone = new CompletableFuture<>();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    private void serve(String... args) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new java.util.ArrayList<>(List.of(java, "-Xmx128m", "-Dlogback.configurationFile=logback.xml", "-cp", System.getProperty("java.class.path"),
                "io.graygate.cli.Main", "serve"));
        command.addAll(List.of(args));
        process = new ProcessBuilder(command).redirectErrorStream(true).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    output.add(line);
                    Matcher p = PROXY.matcher(line), a = ADMIN.matcher(line);
                    if (p.find()) proxy.complete(URI.create(p.group(1)));
                    if (a.find()) admin.complete(URI.create(a.group(1)));
                    if (line.startsWith("stop with ")) bannerDone.complete(null);
                }
            } catch (IOException ignored) {
                // the process is gone: the futures below say so
            }
            IllegalStateException gone = new IllegalStateException("serve exited:\n" + String.join("\n", output));
            proxy.completeExceptionally(gone);
            admin.completeExceptionally(gone);
            bannerDone.completeExceptionally(gone);
        }, "serve-output");
        reader.setDaemon(true);
        reader.start();
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private HttpResponse<String> get(URI base, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theDemoServesProductionUntilTheClientIsWhitelistedAndSigtermExitsZero() throws Exception {
        Path rules = dir.resolve("rules.json");
        serve("--demo", "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", "--store", "file:" + rules);
        URI proxyUri = proxy.get(60, TimeUnit.SECONDS);
        URI adminUri = admin.get(60, TimeUnit.SECONDS);
        bannerDone.get(60, TimeUnit.SECONDS);
        assertThat(output).anyMatch(line -> line.contains("graygate gray add --admin " + adminUri + " demo 127.0.0.1"));

        HttpResponse<String> before = get(proxyUri, "/");
        assertThat(before.body()).isEqualTo("production\n");
        assertThat(before.headers().firstValue("x-graygate-version")).hasValue("production");

        CliRun add = CliRun.of("gray", "add", "demo", "127.0.0.1", "--admin", adminUri.toString(), "--token=");
        assertThat(add.exitCode()).as(add.err()).isZero();
        HttpResponse<String> after = get(proxyUri, "/");
        assertThat(after.body()).isEqualTo("gray\n");
        assertThat(after.headers().firstValue("x-graygate-version")).hasValue("gray");

        process.destroy(); // SIGTERM
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("serve stops within 30 s of SIGTERM").isTrue();
        assertThat(process.exitValue()).as(String.join("\n", output)).isZero();
        assertThat(Files.readString(rules)).contains("\"127.0.0.1\"");
    }

    @Test
    void sigtermLetsTheRequestInFlightFinishThenExitsZero() throws Exception {
        try (TestUpstream upstream = TestUpstream.start("production")) {
            Path config = dir.resolve("graygate.yaml");
            Files.writeString(config, """
                    listen: 127.0.0.1:0
                    admin: {listen: 127.0.0.1:0}
                    store: file:%s
                    upstreams:
                      production: {servers: ["%s"]}
                    routes:
                      - {name: app, stable: production, gray: production}
                    """.formatted(dir.resolve("rules.json"), upstream.hostPort()));
            serve("--config", config.toString());
            URI proxyUri = proxy.get(60, TimeUnit.SECONDS);
            bannerDone.get(60, TimeUnit.SECONDS);

            CompletableFuture<HttpResponse<String>> slow = http.sendAsync(
                    HttpRequest.newBuilder(proxyUri.resolve("/slow?delay=1500")).timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString());
            Polling.await("the slow request reaches the upstream", Duration.ofSeconds(10), () -> !upstream.requests().isEmpty());
            // SIGTERM while the request is in flight; Process.destroy() would also close our end of its output.
            assertThat(process.toHandle().destroy()).isTrue();

            HttpResponse<String> answered = slow.get(20, TimeUnit.SECONDS);
            assertThat(answered.statusCode()).isEqualTo(200);
            assertThat(answered.body()).isEqualTo("production");
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).as(String.join("\n", output)).isZero();
            Polling.await("the drain is logged", Duration.ofSeconds(10),
                    () -> output.stream().anyMatch(line -> line.contains("draining in-flight requests")));
        }
    }

    @Test
    void aTakenAdminPortIsOneLineAndExitCodeOne() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            serve("--demo", "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:" + port, "--store", "file:" + dir.resolve("r.json"));
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).isEqualTo(1);
            assertThat(output).anyMatch(line -> line.startsWith("graygate: cannot start: admin.listen 127.0.0.1:" + port + ": cannot listen: "));
        }
    }
}
