package io.graygate.proxy;

import io.graygate.config.ConfigLoader;
import io.graygate.config.GatewayConfig;
import io.graygate.store.file.FileRuleStore;
import io.graygate.rules.RuleBook;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A proxy under test: the configuration from YAML (listen on 127.0.0.1:0 and the rule file in a temporary
 * directory are added), a {@link RuleBook} over a {@link FileRuleStore}, and a started {@link ProxyServer}.
 */
final class ProxyHarness implements AutoCloseable {

    final GatewayConfig config;
    final RuleBook rules;
    final ProxyServer proxy;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    private ProxyHarness(GatewayConfig config) {
        this.config = config;
        this.rules = new RuleBook(config, new FileRuleStore(Path.of(config.store().substring("file:".length())))).open();
        ProxyServer p;
        try {
            p = new ProxyServer(config, rules::snapshot).start();
        } catch (RuntimeException e) {
            rules.close();
            throw e;
        }
        this.proxy = p;
    }

    /** Starts a proxy from YAML that names upstreams, routes and anything else but {@code store} ({@code listen} defaults to 127.0.0.1:0). */
    static ProxyHarness start(Path dir, String yaml) {
        return new ProxyHarness(config(dir, yaml));
    }

    static GatewayConfig config(Path dir, String yaml) {
        boolean listens = yaml.startsWith("listen") || yaml.contains("\nlisten:") || yaml.contains("\nlisteners:");
        String listen = listens ? "" : "listen: 127.0.0.1:0\n";
        String full = listen + "store: file:" + dir.resolve("rules.json") + "\n" + yaml;
        return ConfigLoader.parse(full, Map.of());
    }

    /** Two upstream groups, production and gray, and one route "demo" on "/" over them, then {@code extra} YAML. */
    static String twoGroups(String production, String gray, String routeExtra, String extra) {
        return """
                upstreams:
                  production:
                    servers: ["%s"]
                  gray:
                    servers: ["%s"]
                routes:
                  - name: demo
                    pathPrefix: /
                    stable: production
                    gray: gray
                %s
                %s
                """.formatted(production, gray, routeExtra.indent(4).stripTrailing(), extra);
    }

    /** Starts a proxy from a configuration built elsewhere (its store must be a file). */
    static ProxyHarness start(GatewayConfig config) {
        return new ProxyHarness(config);
    }

    InetSocketAddress address() {
        return proxy.address();
    }

    URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + proxy.address().getPort() + pathAndQuery);
    }

    HttpResponse<String> get(String pathAndQuery) {
        try {
            return http.send(HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        proxy.close();
        rules.close();
    }
}
