package io.graygate;

import io.graygate.config.ConfigException;
import io.graygate.config.ConfigLoader;
import io.graygate.config.ReloadReport;
import io.graygate.testing.Polling;
import io.graygate.testing.TestUpstream;
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
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reloading the configuration file: routes and servers come and go under load, a bad file changes nothing. */
class ReloadTest {

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private String config(String production, String api) {
        return """
                listen: 127.0.0.1:0
                admin: {listen: 127.0.0.1:0}
                store: file:%s
                upstreams:
                  production: {servers: [%s]}
                %s
                routes:
                  - {name: demo, pathPrefix: /, stable: production, gray: production}
                %s
                proxy: {accessLog: false}
                """.formatted(dir.resolve("rules.json"), production,
                api == null ? "" : "  api: {servers: [\"" + api + "\"]}",
                api == null ? "" : "  - {name: api, pathPrefix: /api, stable: api, gray: api, whitelist: [\"10.0.0.1\"]}");
    }

    private Gateway start(Path file, String yaml) throws Exception {
        Files.writeString(file, yaml);
        return Gateway.start(ConfigLoader.load(file), java.util.Set.of(), () -> ConfigLoader.load(file));
    }

    private HttpResponse<String> get(Gateway g, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.port() + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void fiftyReloadsAddingAndRemovingRoutesAndServersFailNoRequest() throws Exception {
        Path file = dir.resolve("graygate.yaml");
        try (TestUpstream one = TestUpstream.start("one");
             TestUpstream two = TestUpstream.start("two");
             TestUpstream api = TestUpstream.start("api");
             Gateway g = start(file, config("\"" + one.hostPort() + "\"", null))) {
            String small = config("\"" + one.hostPort() + "\"", null);
            String large = config("\"" + one.hostPort() + "\", \"" + two.hostPort() + "\"", api.hostPort());
            AtomicBoolean stop = new AtomicBoolean();
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            AtomicLong served = new AtomicLong();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                Thread thread = new Thread(() -> {
                    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.port() + "/load"))
                            .timeout(Duration.ofSeconds(10)).build();
                    while (!stop.get()) {
                        try {
                            HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() != 200) failures.add(r.statusCode() + " " + r.body());
                            served.incrementAndGet();
                        } catch (Exception e) {
                            failures.add(e.toString());
                        }
                    }
                });
                thread.start();
                threads.add(thread);
            }
            for (int i = 0; i < 50; i++) {
                boolean grow = i % 2 == 0;
                Files.writeString(file, grow ? large : small);
                long before = served.get();
                ReloadReport report = g.reload();
                assertThat(report.routesAdded()).isEqualTo(grow ? List.of("api") : List.of());
                assertThat(report.routesRemoved()).isEqualTo(grow ? List.of() : List.of("api"));
                assertThat(report.serversAdded()).hasSize(grow ? 2 : 0);
                assertThat(report.serversRemoved()).hasSize(grow ? 0 : 2);
                Polling.await("requests between reloads", Duration.ofSeconds(10), () -> served.get() > before + 5);
                assertThat(get(g, "/api/x").body()).isEqualTo(grow ? "api" : "one");
            }
            stop.set(true);
            for (Thread thread : threads) thread.join();
            assertThat(failures).as("failed requests").isEmpty();
            assertThat(two.requests()).isNotEmpty();
            // The last reload took "two" and "api" away: their idle connections closed once their requests had ended.
            Polling.await("the removed servers' connections to close", Duration.ofSeconds(10),
                    () -> two.openConnections() == 0 && api.openConnections() == 0);
            assertThat(one.openConnections()).isPositive();
        }
    }

    @Test
    void aBadReloadIsRefusedNamingThePathAndTheConfigurationInForceStays() throws Exception {
        Path file = dir.resolve("graygate.yaml");
        try (TestUpstream one = TestUpstream.start("one");
             TestUpstream api = TestUpstream.start("api");
             Gateway g = start(file, config("\"" + one.hostPort() + "\"", null))) {
            Files.writeString(file, config("\"" + one.hostPort() + "\", {address: \"" + api.hostPort() + "\", weight: 0}", api.hostPort()));
            assertThatThrownBy(g::reload).isInstanceOf(ConfigException.class)
                    .hasMessage("upstreams.production.servers[1].weight: must be at least 1, got 0");
            HttpResponse<String> viaApi = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.adminPort() + "/api/reload"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(viaApi.statusCode()).isEqualTo(400);
            assertThat(viaApi.body()).contains("reload refused, the configuration in force stays: upstreams.production.servers[1].weight: must be at least 1, got 0");
            assertThat(get(g, "/api/x").body()).isEqualTo("one"); // no api route: the old configuration serves
            assertThat(g.rules().state("api")).isNull();
            assertThat(api.requests()).isEmpty();

            Files.writeString(file, config("\"" + one.hostPort() + "\"", "unresolvable.invalid:80"));
            assertThatThrownBy(g::reload).isInstanceOf(ConfigException.class)
                    .hasMessageStartingWith("upstreams.api.servers[0]: cannot resolve host \"unresolvable.invalid\": ");
            assertThat(g.rules().state("api")).isNull();
            assertThat(get(g, "/api/x").body()).isEqualTo("one");
        }
    }

    @Test
    void aNewRouteIsSeededAndARemovedOneKeepsItsRulesInTheStore() throws Exception {
        Path file = dir.resolve("graygate.yaml");
        try (TestUpstream one = TestUpstream.start("one");
             TestUpstream api = TestUpstream.start("api");
             Gateway g = start(file, config("\"" + one.hostPort() + "\"", null))) {
            Files.writeString(file, config("\"" + one.hostPort() + "\"", api.hostPort()));
            g.reload();
            assertThat(g.rules().state("api").ipSets().get("whitelist").size()).isEqualTo(1); // seeded from the configuration
            HttpResponse<String> added = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.adminPort() + "/api/routes/api/whitelist"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"entries\": [\"10.9.9.9\"]}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(added.statusCode()).isEqualTo(200);

            Files.writeString(file, config("\"" + one.hostPort() + "\"", null));
            g.reload();
            assertThat(g.rules().unconfiguredRoutes()).containsExactly("api");
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.adminPort() + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.body()).contains("\"routes\":1,\"unconfiguredRoutes\":[\"api\"]");

            Files.writeString(file, config("\"" + one.hostPort() + "\"", api.hostPort()));
            g.reload();
            assertThat(g.rules().state("api").ipSets().get("whitelist").size()).isEqualTo(2); // the store's rules, not the seed
            assertThat(g.rules().unconfiguredRoutes()).isEmpty();
        }
    }

    @Test
    void settingsThatTakeARestartAreReportedNotApplied() throws Exception {
        Path file = dir.resolve("graygate.yaml");
        try (TestUpstream one = TestUpstream.start("one");
             Gateway g = start(file, config("\"" + one.hostPort() + "\"", null))) {
            Files.writeString(file, config("\"" + one.hostPort() + "\"", null).replace("listen: 127.0.0.1:0\nadmin", "listen: 127.0.0.1:1\nadmin")
                    .replace("proxy: {accessLog: false}", "proxy: {accessLog: false, versionHeader: true, ioThreads: 3}"));
            ReloadReport report = g.reload();
            assertThat(report.needRestart()).containsExactly("listen", "proxy.ioThreads");
            HttpResponse<String> r = get(g, "/");
            assertThat(r.headers().firstValue("x-graygate-version")).hasValue("production"); // applied live
        }
    }
}
