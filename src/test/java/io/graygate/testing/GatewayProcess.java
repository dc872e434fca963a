package io.graygate.testing;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One graygate node in a child JVM, started as an operator would ({@code io.graygate.cli.Main serve ...}) on the test
 * classpath with the production logging configuration, listening on free ports it reports in its start banner.
 * Talks HTTP to its proxy and admin API; {@link #close()} sends SIGTERM and waits.
 */
public final class GatewayProcess implements AutoCloseable {

    private static final Pattern PROXY = Pattern.compile("^\\s*proxy\\s+(https?://\\S+)");
    private static final Pattern ADMIN = Pattern.compile("^\\s*admin API\\s+(http://\\S+)");

    private final String name;
    private final Process process;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
    private final CompletableFuture<URI> proxy = new CompletableFuture<>();
    private final List<URI> proxies = new CopyOnWriteArrayList<>();
    private final CompletableFuture<URI> admin = new CompletableFuture<>();
    private final CompletableFuture<Void> serving = new CompletableFuture<>();
    private final CompletableFuture<Void> outputEnded = new CompletableFuture<>();

    /** The launcher's heap and GC options, used unless a test names its own. */
    public static final List<String> DEFAULT_JVM = List.of("-Xms64m", "-Xmx256m", "-XX:MaxNewSize=32m", "-XX:+UseParallelGC");

    private GatewayProcess(String name, List<String> jvmOptions, List<String> serveArgs) throws IOException {
        this.name = name;
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(jvmOptions);
        command.addAll(List.of("-Dlogback.configurationFile=logback.xml", "-cp", classpath(), "io.graygate.cli.Main", "serve"));
        command.addAll(serveArgs);
        process = new ProcessBuilder(command).redirectErrorStream(true).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    output.add(line);
                    Matcher p = PROXY.matcher(line), a = ADMIN.matcher(line);
                    if (p.find()) {
                        proxies.add(URI.create(p.group(1)));
                        proxy.complete(URI.create(p.group(1)));
                    }
                    if (a.find()) admin.complete(URI.create(a.group(1)));
                    if (line.startsWith("stop with ")) serving.complete(null); // the banner's last line
                }
            } catch (IOException ignored) {
                // the process is gone; the futures below say so
            }
            IllegalStateException gone = new IllegalStateException(name + " exited:\n" + String.join("\n", output));
            proxy.completeExceptionally(gone);
            admin.completeExceptionally(gone);
            serving.completeExceptionally(gone);
            outputEnded.complete(null);
        }, name + "-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code graygate serve ARGS} and returns at once; see {@link #awaitServing()}. */
    public static GatewayProcess launch(String name, String... serveArgs) throws IOException {
        return new GatewayProcess(name, DEFAULT_JVM, List.of(serveArgs));
    }

    /** Writes {@code yaml} to {@code dir/NAME.yaml}, starts a node on it and returns once it is serving. */
    /**
     * The configuration of a gateway on free ports with a file store in {@code dir} and one route, "app", to one
     * upstream; {@code extraYaml} (top-level keys, or "") is appended.
     */
    public static String oneUpstreamConfig(Path dir, String upstreamHostPort, String extraYaml) {
        return """
                listen: 127.0.0.1:0
                admin: {listen: 127.0.0.1:0}
                store: file:%s
                upstreams:
                  production: {servers: ["%s"]}
                routes:
                  - {name: app, stable: production, gray: production}
                """.formatted(dir.resolve("rules.json"), upstreamHostPort) + extraYaml;
    }

    /** As {@link #oneUpstreamConfig}, on one TLS listener serving {@code certificates} (the items of a YAML flow list). */
    public static String oneTlsUpstreamConfig(Path dir, String certificates, String upstreamHostPort, String extraYaml) {
        String plain = oneUpstreamConfig(dir, upstreamHostPort, extraYaml);
        return "listeners:\n  - address: 127.0.0.1:0\n    tls: {certificates: [" + certificates + "]}\n"
                + plain.substring(plain.indexOf('\n') + 1);
    }

    public static GatewayProcess start(Path dir, String name, String yaml) throws Exception {
        return start(dir, name, yaml, DEFAULT_JVM);
    }

    /** As {@link #start(Path, String, String)}, in a JVM with these options (a small heap, another transport). */
    public static GatewayProcess start(Path dir, String name, String yaml, List<String> jvmOptions) throws Exception {
        Path config = dir.resolve(name + ".yaml");
        Files.writeString(config, yaml);
        GatewayProcess g = new GatewayProcess(name, jvmOptions, List.of("--config", config.toString()));
        try {
            return g.awaitServing();
        } catch (Exception e) {
            g.process.destroyForcibly();
            throw e;
        }
    }

    /** Waits until the whole start banner is out (up to 60 s); throws with the output if the process exits first. */
    public GatewayProcess awaitServing() throws Exception {
        serving.get(60, TimeUnit.SECONDS);
        return this;
    }

    /** This JVM's classpath: the URLs of the loader that loaded the tests (exec:java), else java.class.path (surefire). */
    /** The test classpath, for a child JVM (Surefire may run the tests through a manifest-only jar). */
    public static String classpath() {
        if (Thread.currentThread().getContextClassLoader() instanceof URLClassLoader loader && loader.getURLs().length > 0) {
            List<String> paths = new ArrayList<>();
            for (URL url : loader.getURLs()) {
                try {
                    paths.add(Path.of(url.toURI()).toString());
                } catch (URISyntaxException e) {
                    throw new IllegalStateException("not a file URL on the classpath: " + url, e);
                }
            }
            return String.join(File.pathSeparator, paths);
        }
        return System.getProperty("java.class.path");
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public URI proxyUri() {
        return proxy.join();
    }

    public URI adminUri() {
        return admin.join();
    }

    /** Every proxy listener's URL from the banner (http:// or https://), once serving. */
    public List<URI> proxyUris() {
        serving.join();
        return List.copyOf(proxies);
    }

    /** The proxy's address, for clients of one's own. */
    public InetSocketAddress proxyAddress() {
        URI p = proxyUri();
        return new InetSocketAddress(p.getHost(), p.getPort());
    }

    /** GET through the proxy. */
    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(proxyUri().resolve(path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** GET through the proxy with these request headers (X-Real-IP: a client of the demo, which trusts loopback). */
    public HttpResponse<String> get(String path, Map<String, String> headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(proxyUri().resolve(path)).timeout(Duration.ofSeconds(5));
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The address of a {@code serve --demo} stand-in upstream ("production", "gray"), from the banner. */
    public URI demoStandIn(String upstream) {
        serving.join();
        Pattern line = Pattern.compile("^\\s*upstream\\s+" + Pattern.quote(upstream) + " at (\\S+) \\(demo stand-in\\)");
        for (String l : output) {
            Matcher m = line.matcher(l);
            if (m.find()) return URI.create("http://" + m.group(1));
        }
        throw new IllegalStateException(name + " named no demo stand-in " + upstream + ":\n" + String.join("\n", output));
    }

    /** GET through the proxy without waiting, e.g. a slow request to be in flight during a shutdown. */
    public CompletableFuture<HttpResponse<String>> getAsync(String path, Duration timeout) {
        return http.sendAsync(HttpRequest.newBuilder(proxyUri().resolve(path)).timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> admin(String method, String path, String json) throws IOException, InterruptedException {
        HttpRequest.BodyPublisher body = json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json);
        return http.send(HttpRequest.newBuilder(adminUri().resolve(path)).timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/json").method(method, body).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Every line the process has printed so far. */
    public List<String> output() {
        return List.copyOf(output);
    }

    /** Sends SIGTERM. Unlike {@link Process#destroy()}, it leaves our end of the process's output open to read. */
    public void sigterm() {
        process.toHandle().destroy();
    }

    /** Kills the process with SIGKILL, as a crash would (no drain, no close), and waits until it is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(15, TimeUnit.SECONDS);
    }

    /** Waits for the process to exit and for all its output to be read; returns the exit code. */
    public int awaitExit(Duration timeout) throws Exception {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) throw new IllegalStateException(name + " still running after " + timeout);
        outputEnded.get(10, TimeUnit.SECONDS);
        return process.exitValue();
    }

    @Override
    public void close() {
        sigterm(); // graygate drains and exits
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
