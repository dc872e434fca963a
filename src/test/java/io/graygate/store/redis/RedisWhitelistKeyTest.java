package io.graygate.store.redis;

import io.graygate.rules.RuleBook;
import io.graygate.rules.RuleChange;
import io.graygate.store.RuleStores;
import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.graygate.admin.AdminServer;
import io.graygate.config.ConfigException;
import io.graygate.config.ConfigLoader;
import io.graygate.config.GatewayConfig;
import io.graygate.config.HostPort;
import io.graygate.routing.Decision;
import io.graygate.testing.LogCapture;
import io.graygate.testing.Polling;
import io.graygate.testing.RedisProcess;
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
import java.util.Map;

import static io.graygate.store.redis.RedisNodes.decide;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The OpenResty seed's key, {@code whitelistKey: gray}, read as it is: a string of addresses or a SET, changed with a
 * plain client that publishes nothing, and in force on every node within a second.
 */
class RedisWhitelistKeyTest {

    private static final Duration ONE_SECOND = Duration.ofSeconds(1);
    private static RedisProcess redis;

    @TempDir
    Path dir;
    private RedisNodes nodes;
    private RedisCommands<String, String> cli;

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
        nodes.close();
    }

    @Test
    void theSeedsOwnCommandSetsTheWhitelistOnEveryNodeWithinOneSecond() {
        RuleBook a = nodes.node(redis.uri());
        RuleBook b = nodes.node(redis.uri());
        assertThat(decide(a, "api", "192.168.2.165").version()).isEqualTo("production");

        cli.set("gray", "192.168.2.165"); // redis-cli set gray "192.168.2.165"

        Polling.await("node a", ONE_SECOND, () -> decide(a, "api", "192.168.2.165").version().equals("gray"));
        Polling.await("node b", ONE_SECOND, () -> decide(b, "api", "192.168.2.165").version().equals("gray"));
        assertThat(decide(a, "api", "192.168.2.16").version()).isEqualTo("production"); // no substring matching
        assertThat(decide(a, "web", "192.168.2.165").version()).isEqualTo("production"); // only the route that names the key
    }

    @Test
    void explainTellsTheKeyRuleFromTheRoutesOwnWhitelist() {
        cli.set("gray", "192.168.2.165");
        RuleBook node = nodes.node(redis.uri());

        Decision d = decide(node, "api", "192.168.2.165");

        assertThat(d.version()).isEqualTo("gray");
        assertThat(d.rule()).isEqualTo("whitelistKey");
        assertThat(d.reason()).startsWith("rule whitelistKey: client IP in set whitelistKey (1 entry)");
        assertThat(node.state("api").keySets().get("whitelistKey").key()).isEqualTo("gray");
        assertThat(node.state("api").ipSets().get("whitelist").isEmpty()).isTrue();
    }

    @Test
    void theAdminApiCountsTheKeysEntriesBesideTheRoutesOwnWhitelist() throws Exception {
        cli.set("gray", "192.168.2.165 10.1.0.0/16");
        GatewayConfig config = RedisNodes.config(nodes.storeUri(redis.uri(), "admin"));
        RuleBook node = nodes.open(config);
        try (AdminServer admin = new AdminServer(config.withAdminListen(new HostPort("127.0.0.1", 0)), node).start()) {
            HttpResponse<String> reply = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + admin.address().getPort() + "/api/routes/api")).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode route = new ObjectMapper().readTree(reply.body());
            assertThat(route.path("whitelistSize").asInt()).isZero();
            assertThat(route.path("whitelistKey").path("key").asText()).isEqualTo("gray");
            assertThat(route.path("whitelistKey").path("size").asInt()).isEqualTo(2);
        }
    }

    @Test
    void aStringValueMayListEntriesSeparatedByCommasSpacesAndNewlines() {
        RuleBook node = nodes.node(redis.uri());

        cli.set("gray", "10.0.0.1,10.0.0.2 10.0.0.3\n10.8.0.0/16 ,\n");

        Polling.await("all four entries", ONE_SECOND, () -> node.state("api").keySets().get("whitelistKey").entries().size() == 4);
        for (String ip : new String[] {"10.0.0.1", "10.0.0.2", "10.0.0.3", "10.8.200.1"}) {
            assertThat(decide(node, "api", ip).version()).as(ip).isEqualTo("gray");
        }
    }

    @Test
    void aSetChangedMemberByMemberIsFollowedWithinOneSecond() {
        RuleBook node = nodes.node(redis.uri());

        cli.sadd("gray", "10.0.0.1", "10.0.0.2");
        Polling.await("the first members", ONE_SECOND, () -> decide(node, "api", "10.0.0.2").version().equals("gray"));

        cli.srem("gray", "10.0.0.2");
        Polling.await("the removal", ONE_SECOND, () -> decide(node, "api", "10.0.0.2").version().equals("production"));
        assertThat(decide(node, "api", "10.0.0.1").version()).isEqualTo("gray");

        cli.del("gray");
        Polling.await("the deletion", ONE_SECOND, () -> node.state("api").keySets().get("whitelistKey").entries().isEmpty());
        assertThat(decide(node, "api", "10.0.0.1").version()).isEqualTo("production");
    }

    @Test
    void keyspaceEventsAreAddedToTheServersFlagsNotReplacingThem() {
        nodes.node(redis.uri());

        String flags = cli.configGet("notify-keyspace-events").get("notify-keyspace-events");

        assertThat(flags).contains("E", "x", "K", "$", "s", "g");
    }

    @Test
    void entriesThatAreNotAddressesAreSkippedWithOneWarningPerChange() {
        RuleBook node = nodes.node(redis.uri());
        try (LogCapture logs = LogCapture.of(Level.INFO, "io.graygate")) {
            cli.set("gray", "10.0.0.1, bogus, 10.0.0.300, 10.0.0.5/8");
            Polling.await("the valid entry", ONE_SECOND, () -> decide(node, "api", "10.0.0.1").version().equals("gray"));
            assertThat(decide(node, "api", "10.0.0.9").version()).isEqualTo("production");

            cli.set("gray", "10.0.0.1, 10.0.0.2, nonsense");
            Polling.await("the second change", ONE_SECOND, () -> decide(node, "api", "10.0.0.2").version().equals("gray"));

            assertThat(logs.messages(Level.WARN, "whitelist key gray")).containsExactly(
                    "whitelist key gray: skipped 3 entries that are not an IP address or CIDR: [\"bogus\", \"10.0.0.300\", \"10.0.0.5/8\"]",
                    "whitelist key gray: skipped 1 entry that is not an IP address or CIDR: [\"nonsense\"]");
        }
    }

    @Test
    void withoutKeyspaceNotificationsAPlainChangeStillLandsWithinOneSecond() {
        try (RedisProcess locked = RedisProcess.start("--rename-command", "CONFIG", "")) {
            RedisCommands<String, String> lockedCli = nodes.plainClient(locked);
            RuleBook node = nodes.node(locked.uri());
            assertThat(node.store().status().detail()).contains("polling");

            for (int i = 1; i <= 3; i++) {
                String ip = "10.0.0." + i;
                lockedCli.set("gray", ip);
                Polling.await(ip, ONE_SECOND, () -> decide(node, "api", ip).version().equals("gray"));
            }
            lockedCli.sadd("gray-set-rename", "10.7.0.1");
            lockedCli.del("gray");
            lockedCli.rename("gray-set-rename", "gray");
            Polling.await("the renamed set", ONE_SECOND, () -> decide(node, "api", "10.7.0.1").version().equals("gray"));
            assertThat(decide(node, "api", "10.0.0.3").version()).isEqualTo("production");
        }
    }

    @Test
    void theFileStoreRefusesAWhitelistKeyNamingTheField() {
        assertThatThrownBy(() -> ConfigLoader.parse("""
                store: "file:%s"
                upstreams:
                  prod: {servers: ["127.0.0.1:9"]}
                  next: {servers: ["127.0.0.1:9"]}
                routes:
                  - {name: web, stable: prod, gray: next}
                  - {name: api, pathPrefix: /api, stable: prod, gray: next, whitelistKey: gray}
                """.formatted(dir.resolve("rules.json")), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("routes[1].whitelistKey: ")
                .hasMessageContaining("needs a Redis store");
    }
}
