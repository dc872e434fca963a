package io.graygate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.graygate.config.ConfigLoader;
import io.graygate.config.GatewayConfig;
import io.graygate.store.file.FileRuleStore;
import io.graygate.rules.RuleBook;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** Test fixture: a rule book on a rules file in a temporary directory and an admin server on a free port, plus a small HTTP client. */
public final class RunningAdmin implements AutoCloseable {

    /** Two routes: "demo" on / with a seeded whitelist (IPv4 address, IPv4 CIDR, IPv6 CIDR) and "api" on /api in all-production. */
    public static final String CONFIG = """
            listen: 127.0.0.1:0
            admin:
              listen: 127.0.0.1:0
              token: ${TOKEN:-}
              maxBodySize: ${MAX_BODY_SIZE:-}
            upstreams:
              production:
                servers: ["127.0.0.1:18001"]
              gray:
                servers: ["127.0.0.1:18002", "[::1]:18003"]
            routes:
              - name: demo
                pathPrefix: /
                stable: production
                gray: gray
                whitelist: ["10.1.0.0/16", "192.168.2.165", "2001:db8::/32"]
              - name: api
                pathPrefix: /api
                stable: production
                gray: gray
                mode: all-production
            """;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private final GatewayConfig config;
    private final Path rulesFile;
    private RuleBook rules;
    private AdminServer server;

    private RunningAdmin(GatewayConfig config, Path rulesFile) {
        this.config = config;
        this.rulesFile = rulesFile;
    }

    public static RunningAdmin start(Path dir) {
        return start(dir, "");
    }

    /** Starts with {@code admin.token} set to {@code token} (empty: no token required). */
    public static RunningAdmin start(Path dir, String token) {
        return startWith(dir, CONFIG, Map.of("TOKEN", token));
    }

    /** Starts on a configuration of the caller's (its store is replaced by a rules file in {@code dir}). */
    public static RunningAdmin startWith(Path dir, String yaml, Map<String, String> env) {
        GatewayConfig config = ConfigLoader.parse(yaml, env);
        RunningAdmin admin = new RunningAdmin(config, dir.resolve("rules.json"));
        admin.open();
        return admin;
    }

    private void open() {
        rules = new RuleBook(config, new FileRuleStore(rulesFile)).open();
        server = new AdminServer(config, rules).start();
    }

    /** Closes the server and the rule book, then opens both again on the same rules file (the admin port changes). */
    public void restart() {
        close();
        open();
    }

    public RuleBook rules() {
        return rules;
    }

    public String url() {
        return "http://127.0.0.1:" + server.address().getPort();
    }

    /** Where the admin API listens, for a raw socket. */
    public java.net.InetSocketAddress address() {
        return server.address();
    }

    public Reply get(String path) {
        return send("GET", path, null, null);
    }

    public Reply send(String method, String path, String body) {
        return send(method, path, body, null);
    }

    public Reply send(String method, String path, String body, String authorization) {
        return sendWith(method, path, body, authorization == null ? Map.of() : Map.of("Authorization", authorization));
    }

    /** One call with the given request headers. */
    public Reply sendWith(String method, String path, String body, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url() + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        try {
            HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(r.statusCode(), r.headers().firstValue("allow").orElse(null), JSON.readTree(r.body()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** One answer of the admin API: status, the Allow header if any, and the JSON body. */
    public record Reply(int status, String allow, JsonNode json) {
        public String error() {
            return json.path("error").asText(null);
        }
    }

    @Override
    public void close() {
        server.close();
        rules.close();
    }
}
