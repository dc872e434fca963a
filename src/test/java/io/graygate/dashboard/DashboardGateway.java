package io.graygate.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.graygate.Gateway;
import io.graygate.config.ConfigLoader;
import io.graygate.testing.TestUpstream;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A whole gateway for the browser: two real upstreams answering with their names ("production", "gray"), a route
 * "demo" on / with an IP set "testers", a header rule and a sticky split on cookie uid (gray 10%), a second route "shop" on /shop, the proxy and the
 * admin listener on free ports; 127.0.0.1 is a trusted proxy, so a test picks its client address by X-Forwarded-For.
 */
final class DashboardGateway implements AutoCloseable {

    static final String CONFIG = """
            listen: 127.0.0.1:0
            admin:
              listen: 127.0.0.1:0
              token: ${TOKEN:-}
            store: file:${DIR}/rules.json
            clientIp:
              trustedProxies: [127.0.0.1/32]
            upstreams:
              production: {servers: ["${PRODUCTION}"]}
              gray: {servers: ["${GRAY}"]}
            routes:
              - name: demo
                pathPrefix: /
                versions: {production: production, gray: gray}
                baseline: production
                ipSets: {testers: ["192.0.2.1", "10.1.0.0/16"]}
                rules:
                  - {name: testers, when: {clientIp: {inSet: testers}}, to: gray}
                  - {name: beta, when: {header: {name: X-Beta, equals: "on"}}, to: gray}
                  - {name: ramp, split: {by: {cookie: uid}, weights: {gray: 10}}}
              - {name: shop, pathPrefix: /shop, stable: production, gray: gray}
            """;

    private static final ObjectMapper JSON = new ObjectMapper();

    final TestUpstream production = TestUpstream.start("production");
    final TestUpstream gray = TestUpstream.start("gray");
    final Gateway gateway;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    DashboardGateway(Path dir, String token) {
        this.token = token;
        try {
            gateway = Gateway.start(ConfigLoader.parse(CONFIG, Map.of("TOKEN", token, "DIR", dir.toString(),
                    "PRODUCTION", production.hostPort(), "GRAY", gray.hostPort())));
        } catch (RuntimeException e) {
            production.close();
            gray.close();
            throw e;
        }
    }

    String dashboard() {
        return "http://127.0.0.1:" + gateway.adminPort() + "/";
    }

    /** The version the proxy sends a request from {@code clientIp} with cookie uid={@code uid} (null: none) to. */
    String versionFor(String clientIp, String uid) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/"))
                .timeout(Duration.ofSeconds(10)).header("X-Forwarded-For", clientIp);
        if (uid != null) b.header("Cookie", "uid=" + uid);
        return send(b.build()).body();
    }

    /** The body of a GET of {@code pathAndQuery} through the proxy from {@code clientIp}. */
    String get(String pathAndQuery, String clientIp) {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + pathAndQuery))
                .timeout(Duration.ofSeconds(10)).header("X-Forwarded-For", clientIp).build()).body();
    }

    /** The share of gray, in percent, over {@code n} requests with distinct uid cookies (the split's key). */
    double grayPercent(int n, String keyPrefix) {
        int gray = 0;
        for (int i = 0; i < n; i++) if (versionFor("198.51.100.20", keyPrefix + i).equals("gray")) gray++;
        return 100.0 * gray / n;
    }

    /** One admin API call, as any script would make it, for what a test checks beside the page. */
    Api api(String method, String path, String body) {
        return api(method, path, body, Map.of());
    }

    Api api(String method, String path, String body, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.adminPort() + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (!token.isEmpty()) b.header("Authorization", "Bearer " + token);
        headers.forEach(b::header);
        HttpResponse<String> r = send(b.build());
        try {
            return new Api(r.statusCode(), JSON.readTree(r.body()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    record Api(int status, JsonNode json) {
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private boolean grayStopped;

    /** Stops gray's only server: from then on every request sent to gray fails (502). */
    void stopGray() {
        gray.close();
        grayStopped = true;
    }

    @Override
    public void close() {
        gateway.close();
        production.close();
        if (!grayStopped) gray.close();
    }
}
