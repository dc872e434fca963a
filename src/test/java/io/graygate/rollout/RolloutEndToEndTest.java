package io.graygate.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.graygate.testing.ControlledUpstream;
import io.graygate.testing.GatewayProcess;
import io.graygate.testing.Polling;
import io.graygate.testing.UserLoad;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rollouts on one graygate process with the file store, judged on real traffic through its proxy and its own
 * statistics; what each version received is counted at the upstreams themselves.
 */
class RolloutEndToEndTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private ControlledUpstream production;
    private ControlledUpstream gray;
    private GatewayProcess gateway;
    private final List<AutoCloseable> opened = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        production = ControlledUpstream.start("production");
        gray = ControlledUpstream.start("gray");
        gateway = GatewayProcess.start(dir, "node", config(dir.resolve("rules.json").toString(), production, gray));
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : opened) c.close();
        if (gateway != null) gateway.close();
        production.close();
        gray.close();
    }

    /** One route "app" with a sticky split "ramp" by the uid cookie, at 0 to start with. */
    static String config(String store, ControlledUpstream production, ControlledUpstream gray) {
        return """
                listen: 127.0.0.1:0
                admin: {listen: 127.0.0.1:0}
                store: "%s"
                upstreams:
                  production: {servers: ["%s"]}
                  gray: {servers: ["%s"]}
                routes:
                  - name: app
                    versions: {production: production, gray: gray}
                    rules:
                      - {name: ramp, split: {by: {cookie: uid}, weights: {}}}
                proxy: {versionHeader: true, accessLog: false}
                """.formatted(store.startsWith("redis") ? store : "file:" + store, production.hostPort(), gray.hostPort());
    }

    private UserLoad load() {
        UserLoad l = new UserLoad(() -> List.of(gateway.proxyUri()), 1000, 2, 5);
        opened.add(l);
        return l;
    }

    static JsonNode start(GatewayProcess g, String spec) throws Exception {
        HttpResponse<String> r = g.admin("POST", "/api/routes/app/rollout", spec);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    static JsonNode status(GatewayProcess g) {
        try {
            HttpResponse<String> r = g.admin("GET", "/api/routes/app/rollout", null);
            JsonNode j = r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
            return j == null || j.isNull() ? null : j;
        } catch (Exception e) {
            return null;
        }
    }

    static JsonNode await(GatewayProcess g, String what, Predicate<JsonNode> p) {
        AtomicReference<JsonNode> seen = new AtomicReference<>();
        Polling.await(what + " (last seen: " + seen + ")", WAIT, () -> {
            JsonNode s = status(g);
            if (s != null) seen.set(s);
            return s != null && p.test(s);
        });
        return seen.get();
    }

    static Predicate<JsonNode> state(String state) {
        return s -> s.path("state").asText().equals(state) && s.path("settled").asBoolean();
    }

    static JsonNode route(GatewayProcess g) throws Exception {
        return JSON.readTree(g.admin("GET", "/api/routes/app", null).body());
    }

    /** Every "step N of M" transition, in order, as N. */
    static List<Integer> stepsEntered(JsonNode s) {
        List<Integer> out = new ArrayList<>();
        for (JsonNode e : s.path("events")) {
            String reason = e.path("reason").asText();
            if (reason.startsWith("step ")) out.add(Integer.parseInt(reason.substring(5, reason.indexOf(' ', 5))));
        }
        return out;
    }

    @Test
    void aHealthyRolloutCompletesAndEndsWithTheSwitch() throws Exception {
        UserLoad load = load();
        start(gateway, "{\"version\": \"gray\", \"steps\": [{\"weight\": 10, \"pause\": \"1s\"}, {\"weight\": 50, \"pause\": \"1s\"},"
                + " {\"weight\": 100, \"pause\": \"1s\"}], \"analysis\": {\"interval\": \"1s\", \"minRequests\": 5}}");
        JsonNode done = await(gateway, "success", state("succeeded"));
        assertThat(stepsEntered(done)).containsExactly(2, 3);
        assertThat(done.path("analyses")).allMatch(a -> !a.path("verdict").asText().equals("fail"));
        assertThat(route(gateway).path("override").asText()).isEqualTo("gray");
        long productionBefore = production.received();
        long grayBefore = gray.received();
        Polling.await("200 more requests", WAIT, () -> gray.received() >= grayBefore + 200);
        assertThat(production.received()).isEqualTo(productionBefore);
        assertThat(load.failed()).isZero();
        // Every transition and every analysis, with its figures and thresholds, is in the audit log.
        JsonNode audit = JSON.readTree(gateway.admin("GET", "/api/audit?route=app&limit=1000", null).body()).path("entries");
        List<String> changes = new ArrayList<>();
        audit.forEach(e -> changes.add(e.path("actor").asText() + ": " + e.path("change").asText()));
        assertThat(changes).anyMatch(c -> c.startsWith("rollout: rollout gray analysis at step 1 (10%): pass: ") && c.contains("thresholds: minRequests 5"));
        assertThat(changes).anyMatch(c -> c.startsWith("rollout: rollout gray: progressing -> succeeded at step 3 of 3"));
        assertThat(changes).anyMatch(c -> c.contains("rollout gray: - -> progressing at step 1 of 3") && !c.startsWith("rollout:"));
        assertThat(changes.stream().filter(c -> c.startsWith("rollout: rollout gray analysis")).count()).isEqualTo(done.path("analyses").size());
    }

    @Test
    void aVersionFailingTenPercentAtStepTwoIsAbortedAfterTheFailureLimitAndThenGetsNoRequests() throws Exception {
        load();
        start(gateway, "{\"version\": \"gray\", \"steps\": [{\"weight\": 10, \"pause\": \"1s\"}, {\"weight\": 50, \"pause\": \"1m\"},"
                + " {\"weight\": 100, \"pause\": \"1m\"}], \"analysis\": {\"interval\": \"1s\", \"minRequests\": 5, \"maxErrorRate\": \"1%\","
                + " \"failureLimit\": 2}}");
        await(gateway, "step 2", s -> s.path("step").asInt() == 1 && s.path("settled").asBoolean());
        gray.failRatio(0.1);
        JsonNode aborted = await(gateway, "the abort", state("aborted"));
        JsonNode analyses = aborted.path("analyses");
        List<JsonNode> fails = new ArrayList<>();
        analyses.forEach(a -> { if (a.path("verdict").asText().equals("fail")) fails.add(a); });
        assertThat(fails).hasSize(2);
        assertThat(fails).allMatch(a -> a.path("step").asInt() == 1 && a.path("errors").asLong() > 0);
        assertThat(aborted.path("reason").asText()).startsWith("aborted after 2 failed intervals in a row: fail: error rate");
        assertThat(aborted.path("weight").asInt()).isZero();
        // In force once the state says settled: from then on, not one request reaches gray.
        long grayAtAbort = gray.received();
        long productionAtAbort = production.received();
        Polling.await("300 more requests to production", WAIT, () -> production.received() >= productionAtAbort + 300);
        assertThat(gray.received()).isEqualTo(grayAtAbort);
    }

    @Test
    void aSlowNewVersionIsAbortedByTheP99Ratio() throws Exception {
        load();
        gray.delayMillis(60);
        start(gateway, "{\"version\": \"gray\", \"steps\": [{\"weight\": 20, \"pause\": \"1m\"}, {\"weight\": 100}],"
                + " \"analysis\": {\"interval\": \"1s\", \"minRequests\": 5, \"maxP99Ratio\": 1.5, \"failureLimit\": 2}}");
        JsonNode aborted = await(gateway, "the abort", state("aborted"));
        assertThat(aborted.path("reason").asText()).contains("over maxP99Ratio 1.5 x baseline p99");
        JsonNode last = aborted.path("analyses").get(aborted.path("analyses").size() - 1);
        assertThat(last.path("p99Millis").asDouble()).isGreaterThan(1.5 * last.path("baselineP99Millis").asDouble());
        assertThat(last.path("thresholds").path("maxP99Ratio").asDouble()).isEqualTo(1.5);
    }

    @Test
    void withNoTrafficTheRolloutWaitsAsInconclusiveAndResumesWhenTrafficReturns() throws Exception {
        start(gateway, "{\"version\": \"gray\", \"steps\": [{\"weight\": 20, \"pause\": \"1s\"}, {\"weight\": 100, \"pause\": \"1s\"}],"
                + " \"analysis\": {\"interval\": \"1s\", \"minRequests\": 5}}");
        JsonNode waiting = await(gateway, "inconclusive", s -> s.path("state").asText().equals("paused") && s.path("waitingForTraffic").asBoolean());
        assertThat(waiting.path("reason").asText()).startsWith("inconclusive: 0 requests to gray in 1s, fewer than minRequests 5");
        assertThat(waiting.path("step").asInt()).isZero();
        load();
        JsonNode done = await(gateway, "success", state("succeeded"));
        assertThat(done.path("events")).anyMatch(e -> e.path("reason").asText().startsWith("resumed, traffic returned"));
    }

    @Test
    void aUserWhoReachedTheNewVersionAtFivePercentStaysOnItAtTwentyFiveAndFifty() throws Exception {
        load();
        start(gateway, "{\"version\": \"gray\", \"steps\": [{\"weight\": 5, \"pause\": \"2s\"}, {\"weight\": 25, \"pause\": \"2s\"},"
                + " {\"weight\": 50, \"pause\": \"2s\"}], \"analysis\": {\"interval\": \"1s\", \"minRequests\": 1}}");
        Map<Integer, List<String>> onGray = new HashMap<>();
        for (int step = 0; step < 3; step++) {
            int at = step;
            await(gateway, "step " + (step + 1) + " in force", s -> s.path("step").asInt() == at && s.path("settled").asBoolean());
            // Held at this step while 400 users are asked which version answers them.
            assertThat(gateway.admin("POST", "/api/routes/app/rollout/pause", null).statusCode()).isEqualTo(200);
            List<String> users = new ArrayList<>();
            for (int u = 0; u < 400; u++) {
                HttpResponse<String> r = gatewayGet("probe" + u);
                if ("gray".equals(r.headers().firstValue("x-graygate-version").orElse(""))) users.add("probe" + u);
            }
            onGray.put(step, users);
            assertThat(gateway.admin("POST", "/api/routes/app/rollout/resume", null).statusCode()).isEqualTo(200);
        }
        assertThat(onGray.get(0)).isNotEmpty();
        assertThat(onGray.get(1)).containsAll(onGray.get(0)).hasSizeGreaterThan(onGray.get(0).size());
        assertThat(onGray.get(2)).containsAll(onGray.get(1)).hasSizeGreaterThan(onGray.get(1).size());
        // about 5%, 25% and 50% of the 400
        assertThat(onGray.get(0).size()).isBetween(4, 45);
        assertThat(onGray.get(1).size()).isBetween(70, 130);
        assertThat(onGray.get(2).size()).isBetween(160, 240);
    }

    private HttpResponse<String> gatewayGet(String uid) throws Exception {
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(gateway.proxyUri().resolve("/u"))
                .header("Cookie", "uid=" + uid).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theWebhookHearsOfEveryTransitionAndADeadOneDelaysNothing() throws Exception {
        List<String> heard = new CopyOnWriteArrayList<>();
        HttpServer hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        hook.createContext("/", x -> {
            heard.add(new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            x.sendResponseHeaders(204, -1);
            x.close();
        });
        hook.start();
        opened.add(() -> hook.stop(0));
        load();
        start(gateway, "{\"version\": \"gray\", \"steps\": [{\"weight\": 10}, {\"weight\": 100}], \"analysis\": {\"interval\": \"1s\", \"minRequests\": 5},"
                + " \"notify\": \"http://127.0.0.1:" + hook.getAddress().getPort() + "/rollouts\"}");
        JsonNode done = await(gateway, "success", state("succeeded"));
        List<String> recorded = new ArrayList<>();
        for (JsonNode e : done.path("events")) recorded.add(e.path("from").asText() + ">" + e.path("to").asText() + "@" + (e.path("step").asInt() + 1));
        Polling.await("a call for each of the " + recorded.size() + " transitions", WAIT, () -> heard.size() >= recorded.size());
        List<String> told = heard.stream().map(h -> {
            try {
                JsonNode j = JSON.readTree(h);
                assertThat(j.path("route").asText()).isEqualTo("app");
                assertThat(j.path("version").asText()).isEqualTo("gray");
                return j.path("from").asText() + ">" + j.path("to").asText() + "@" + j.path("step").asInt();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }).toList();
        assertThat(told).isEqualTo(recorded);
        assertThat(told).startsWith("->progressing@1").endsWith("progressing>succeeded@2").contains("progressing>progressing@2");
    }

    @Test
    void aDeadWebhookDelaysNoStep() throws Exception {
        // A webhook that takes connections and never answers: each call waits out its timeout, three times.
        ServerSocket dead = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        List<Socket> held = new CopyOnWriteArrayList<>();
        Thread acceptor = new Thread(() -> {
            try {
                while (true) held.add(dead.accept());
            } catch (IOException e) {
                // closed
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
        opened.add(dead);
        load();
        start(gateway, "{\"version\": \"gray\", \"steps\": [{\"weight\": 10}, {\"weight\": 30}, {\"weight\": 60}, {\"weight\": 100}],"
                + " \"analysis\": {\"interval\": \"1s\", \"minRequests\": 5}, \"notify\": \"http://127.0.0.1:" + dead.getLocalPort() + "/x\"}");
        JsonNode done = await(gateway, "success", state("succeeded"));
        // Four transitions were told before the success. Had each step waited on its call (three tries, each
        // waiting out its timeout), the webhook would have had at least ten connections by now; told from the
        // queue, it is still on the first call's tries.
        assertThat(stepsEntered(done)).containsExactly(2, 3, 4);
        assertThat(held.size()).isLessThan(5);
    }
}
