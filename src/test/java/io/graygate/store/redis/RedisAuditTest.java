package io.graygate.store.redis;

import ch.qos.logback.classic.Level;
import io.graygate.Gateway;
import io.graygate.audit.AuditEntry;
import io.graygate.audit.QueuedAuditLog;
import io.graygate.config.ConfigLoader;
import io.graygate.config.GatewayConfig;
import io.graygate.routing.ip.IpEntry;
import io.graygate.rules.RuleBook;
import io.graygate.rules.RuleChange;
import io.graygate.store.file.FileRuleStore;
import io.graygate.testing.LogCapture;
import io.graygate.testing.Polling;
import io.graygate.testing.RedisProcess;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Redis store's audit log: the stream graygate:audit, written by the node that made the change (and by every node
 * that reads a whitelist key changed with redis-cli), kept across restarts, trimmed near audit.maxEntries; an audit
 * write that fails never fails the change.
 */
class RedisAuditTest {

    private static RedisProcess redis;

    @TempDir
    Path dir;
    private RedisNodes nodes;
    private RedisCommands<String, String> cli;
    private Gateway gateway;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void startRedis() {
        redis = RedisProcess.start("--notify-keyspace-events", "Ex");
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @BeforeEach
    void setUp() {
        nodes = new RedisNodes(dir);
        cli = nodes.plainClient(redis);
        cli.flushall();
    }

    @AfterEach
    void tearDown() {
        if (gateway != null) gateway.close();
        nodes.close();
    }

    private GatewayConfig config(String extra) {
        return config("gw", extra);
    }

    private GatewayConfig config(String node, String extra) {
        return ConfigLoader.parse("""
                listen: 127.0.0.1:0
                admin:
                  listen: 127.0.0.1:0
                  tokens: [{name: deploy-bot, token: t0ken}]
                store: "%s"
                upstreams:
                  prod: {servers: ["127.0.0.1:9"]}
                  next: {servers: ["127.0.0.1:9"]}
                routes:
                  - {name: web, pathPrefix: /, stable: prod, gray: next, whitelist: ["10.0.0.1"]}
                  - {name: api, pathPrefix: /api, stable: prod, gray: next, whitelistKey: gray}
                proxy: {accessLog: false}
                %s
                """.formatted(nodes.storeUri(redis.uri(), node), extra), Map.of());
    }

    private int post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.adminPort() + path))
                .header("Authorization", "Bearer t0ken").header("X-Graygate-Actor", "alice@host")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private List<StreamMessage<String, String>> stream() {
        return cli.xrange("graygate:audit", io.lettuce.core.Range.create("-", "+"));
    }

    @Test
    void changesThroughTheApiAndWithRedisCliLandInTheStreamAndOutliveARestart() throws Exception {
        gateway = Gateway.start(config(""));
        assertThat(post("/api/routes/web/whitelist", "{\"entries\": [\"10.0.0.2\"]}")).isEqualTo(200);
        Polling.await("the API change in the stream", Duration.ofSeconds(5), () -> stream().size() == 1);
        Map<String, String> first = stream().get(0).getBody();
        assertThat(first).containsEntry("actor", "deploy-bot (alice@host)").containsEntry("route", "web")
                .containsEntry("change", "whitelist add 10.0.0.2 (1 entry)").containsEntry("revisionBefore", "1")
                .containsEntry("revisionAfter", "2").containsEntry("node", gateway.node().id());

        cli.set("gray", "192.168.2.165 10.9.0.0/16"); // redis-cli set gray "..."
        Polling.await("the key change in the stream", Duration.ofSeconds(5), () -> stream().size() == 2);
        Map<String, String> keyed = stream().get(1).getBody();
        assertThat(keyed).containsEntry("actor", "redis-key:gray").containsEntry("route", "api");
        assertThat(keyed.get("change")).isEqualTo("IP set whitelistKey read from Redis key gray: 2 entries in force (was 0 entries)");

        gateway.close();
        gateway = Gateway.start(config(""));
        List<AuditEntry> read = gateway.audit().read(null, Instant.now().minusSeconds(3600), 100);
        assertThat(read).extracting(AuditEntry::actor).containsExactly("redis-key:gray", "deploy-bot (alice@host)");
        assertThat(gateway.audit().read("web", null, 100)).hasSize(1);
        assertThat(stream()).hasSize(2); // a restart that reads the same key content records nothing new
    }

    @Test
    void onlyTheNodeThatMadeAChangeRecordsIt() throws Exception {
        gateway = Gateway.start(config("a", ""));
        try (Gateway other = Gateway.start(config("b", ""))) {
            assertThat(post("/api/routes/web/whitelist", "{\"entries\": [\"10.0.0.2\"]}")).isEqualTo(200);
            Polling.await("the change on the other node", Duration.ofSeconds(5), () -> other.rules().state("web").revision() == 2);
            assertThat(post("/api/routes/web/whitelist", "{\"entries\": [\"10.0.0.3\"]}")).isEqualTo(200);
            Polling.await("the second change on the other node", Duration.ofSeconds(5), () -> other.rules().state("web").revision() == 3);
            Polling.await("two entries", Duration.ofSeconds(5), () -> stream().size() >= 2);
            other.close(); // what it had queued is written now
            // the other node put both changes in force from the notices, and recorded neither
            assertThat(stream()).extracting(m -> m.getBody().get("change"))
                    .containsExactly("whitelist add 10.0.0.2 (1 entry)", "whitelist add 10.0.0.3 (1 entry)");
        }
    }

    @Test
    void theStreamIsTrimmedNearMaxEntries() {
        GatewayConfig config = config("audit: {maxEntries: 10}");
        try (QueuedAuditLog log = io.graygate.audit.AuditLogs.forConfig(config)) {
            for (int i = 0; i < 1_000; i++) log.record(new AuditEntry(Instant.now(), "t", "n", "web", "c" + i, i, i + 1));
        }
        long length = cli.xlen("graygate:audit");
        // approximate trimming (MAXLEN ~) drops whole stream nodes only: some over 10 stay, never the thousand
        assertThat(length).isGreaterThanOrEqualTo(10).isLessThan(1_000);
        assertThat(stream().get(stream().size() - 1).getBody()).containsEntry("change", "c999");
    }

    @Test
    void anAuditWriteRedisRefusesFailsNoChangeIsLoggedOnceAndCatchesUp() throws Exception {
        cli.set("graygate:audit", "not a stream"); // XADD now fails with WRONGTYPE while the store works
        try (LogCapture logs = LogCapture.of(Level.INFO, QueuedAuditLog.class.getName())) {
            gateway = Gateway.start(config(""));
            for (int i = 2; i < 7; i++) assertThat(post("/api/routes/web/whitelist", "{\"entries\": [\"10.0.0." + i + "\"]}")).isEqualTo(200);
            assertThat(gateway.rules().state("web").revision()).isEqualTo(6);
            Polling.await("the failure logged", Duration.ofSeconds(5), () -> logs.lines().stream().anyMatch(l -> l.contains("cannot write")));

            cli.del("graygate:audit");
            Polling.await("the waiting entries written", Duration.ofSeconds(10), () -> cli.exists("graygate:audit") == 1 && stream().size() == 5);
            assertThat(logs.lines()).filteredOn(l -> l.contains("cannot write")).hasSize(1);
        }
    }

    @Test
    void aDeadRedisForTheAuditNeitherFailsNorDelaysAChange() throws Exception {
        int dead = RedisProcess.freePort();
        GatewayConfig config = ConfigLoader.parse("""
                store: file:%s
                upstreams: {prod: {servers: ["127.0.0.1:9"]}, next: {servers: ["127.0.0.1:9"]}}
                routes: [{name: web, pathPrefix: /, stable: prod, gray: next}]
                """.formatted(dir.resolve("rules.json")), Map.of());
        QueuedAuditLog audit = new QueuedAuditLog(new RedisAuditStream(RedisStoreUri.parse("redis://127.0.0.1:" + dead), 100));
        try (LogCapture logs = LogCapture.of(Level.WARN, QueuedAuditLog.class.getName());
             RuleBook book = new RuleBook(config, new FileRuleStore(dir.resolve("rules.json")), audit, "n1").open()) {
            for (int i = 1; i < 20; i++) book.apply("web", RuleChange.addToSet("whitelist", List.of(IpEntry.parse("10.0.0." + i))), "t");
            assertThat(book.state("web").revision()).isEqualTo(20);
            Polling.await("the failure logged", Duration.ofSeconds(10), () -> logs.lines().stream().anyMatch(l -> l.contains("cannot write")));
            assertThat(logs.lines()).filteredOn(l -> l.contains("cannot write")).hasSize(1);
        } finally {
            audit.close();
        }
        assertThat(audit.dropped()).isEqualTo(19); // given up on at close, counted, never thrown
    }
}
