package io.graygate.rules;

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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One graygate node in a child JVM, started as an operator would ({@code io.graygate.cli.Main serve --config FILE})
 * on the test classpath, listening on free ports it reports in its start banner. Talks HTTP to its proxy and admin API.
 */
final class GatewayProcess implements AutoCloseable {

    private static final Pattern PROXY = Pattern.compile("^\\s*proxy\\s+(http://\\S+)");
    private static final Pattern ADMIN = Pattern.compile("^\\s*admin API\\s+(http://\\S+)");

    private final String name;
    private final Process process;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
    private final URI proxy;
    private final URI admin;

    private GatewayProcess(String name, Path config) throws Exception {
        this.name = name;
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        process = new ProcessBuilder(java, "-Xms64m", "-Xmx256m", "-XX:+UseParallelGC",
                "-cp", classpath(), "io.graygate.cli.Main", "serve", "--config", config.toString())
                .redirectErrorStream(true)
                .start();
        CompletableFuture<URI> proxyUri = new CompletableFuture<>(), adminUri = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    output.add(line);
                    Matcher p = PROXY.matcher(line), a = ADMIN.matcher(line);
                    if (p.find()) proxyUri.complete(URI.create(p.group(1)));
                    if (a.find()) adminUri.complete(URI.create(a.group(1)));
                }
            } catch (IOException ignored) {
                // the process is gone; the futures below say so
            }
            IllegalStateException gone = new IllegalStateException(name + " exited:\n" + String.join("\n", output));
            proxyUri.completeExceptionally(gone);
            adminUri.completeExceptionally(gone);
        }, name + "-output");
        reader.setDaemon(true);
        reader.start();
        try {
            proxy = proxyUri.get(60, TimeUnit.SECONDS);
            admin = adminUri.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            process.destroyForcibly();
            throw e;
        }
    }

    /** This JVM's classpath: the URLs of the loader that loaded the tests (exec:java), else java.class.path (surefire). */
    private static String classpath() {
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

    /** Writes {@code yaml} to {@code dir/NAME.yaml} and starts a node on it; returns once it is serving. */
    static GatewayProcess start(Path dir, String name, String yaml) throws Exception {
        Path config = dir.resolve(name + ".yaml");
        Files.writeString(config, yaml);
        return new GatewayProcess(name, config);
    }

    String name() {
        return name;
    }

    URI proxyUri() {
        return proxy;
    }

    /** The proxy's address, for clients of one's own. */
    InetSocketAddress proxyAddress() {
        return new InetSocketAddress(proxy.getHost(), proxy.getPort());
    }

    /** GET through the proxy; the test upstreams answer with their name. */
    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(proxy.resolve(path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> admin(String method, String path, String json) throws IOException, InterruptedException {
        HttpRequest.BodyPublisher body = json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json);
        return http.send(HttpRequest.newBuilder(admin.resolve(path)).timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/json").method(method, body).build(), HttpResponse.BodyHandlers.ofString());
    }

    List<String> output() {
        return List.copyOf(output);
    }

    @Override
    public void close() {
        process.destroy(); // SIGTERM: graygate drains and exits
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
