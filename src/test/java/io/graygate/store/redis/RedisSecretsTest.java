package io.graygate.store.redis;

import io.graygate.store.StoreUnavailableException;
import io.graygate.store.StoreStatus;
import io.graygate.rules.RuleBook;
import io.graygate.rules.RuleChange;
import io.graygate.store.RuleStores;
import ch.qos.logback.classic.Level;
import io.graygate.routing.ip.IpEntry;
import io.graygate.testing.LogCapture;
import io.graygate.testing.Polling;
import io.graygate.testing.RedisProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Redis password appears in no log line (every logger at DEBUG, Lettuce's and Netty's included), no exception
 * message and no {@link StoreStatus}, through a start, writes, an outage, a reconnect and a wrong password.
 */
class RedisSecretsTest {

    private static final String PASSWORD = "Pw-7f3d@q/9";
    private static final String ENCODED = "Pw-7f3d%40q%2F9";

    @TempDir
    Path dir;
    private RedisProcess redis;
    private RedisNodes nodes;

    @BeforeEach
    void setUp() {
        redis = RedisProcess.start("--requirepass", PASSWORD, "--user", "gate", "on", ">" + PASSWORD, "~*", "&*", "+@all");
        nodes = new RedisNodes(dir);
    }

    @AfterEach
    void tearDown() {
        nodes.close();
        redis.close();
    }

    @Test
    void thePasswordShowsNowhereThroughAWholeLifecycle() {
        List<String> exposed = new ArrayList<>();
        try (LogCapture logs = LogCapture.of(Level.DEBUG, "io.graygate", "io.lettuce", "io.netty")) {
            String uri = "redis://:" + ENCODED + "@127.0.0.1:" + redis.port() + "/0";
            RuleBook node = nodes.open(RedisNodes.config(nodes.storeUri(uri, "secret")));
            assertThat(node.store().status().connected()).as("authenticated").isTrue();
            node.apply("web", RuleChange.addToSet("whitelist", List.of(IpEntry.parse("10.0.0.7"))), "test");
            exposed.add(node.store().status().toString());

            redis.kill();
            Polling.await("the outage noticed", Duration.ofSeconds(2), () -> !node.store().status().connected());
            exposed.add(node.store().status().toString());
            Throwable refused = org.assertj.core.api.Assertions.catchThrowable(
                    () -> node.apply("web", RuleChange.addToSet("whitelist", List.of(IpEntry.parse("10.0.0.8"))), "test"));
            assertThat(refused).isInstanceOf(StoreUnavailableException.class);
            exposed.add(refused.getMessage());

            redis.restart();
            Polling.await("reconnected with the password", Duration.ofSeconds(2), () -> node.store().status().connected());
            exposed.add(node.store().status().location());

            assertThat(logs.lines()).as("log lines captured").hasSizeGreaterThan(50);
            exposed.addAll(logs.lines());
        }
        assertThat(exposed).noneMatch(s -> s.contains(PASSWORD) || s.contains(ENCODED) || s.contains("7f3d"));
    }

    @Test
    void anAclUserAndPasswordAuthenticateAndOnlyTheUserShows() {
        String uri = "redis://gate:" + ENCODED + "@127.0.0.1:" + redis.port() + "/0";
        RuleBook node = nodes.open(RedisNodes.config(nodes.storeUri(uri, "acl")));

        StoreStatus status = node.store().status();
        assertThat(status.connected()).isTrue();
        assertThat(status.location()).isEqualTo("redis://gate:****@127.0.0.1:" + redis.port() + "/0?prefix=graygate:");
    }

    @Test
    void aWrongPasswordIsReportedWithoutEitherPassword() {
        List<String> exposed = new ArrayList<>();
        try (LogCapture logs = LogCapture.of(Level.DEBUG, "io.graygate", "io.lettuce", "io.netty")) {
            String uri = "redis://:Wrong-91ab@127.0.0.1:" + redis.port() + "/0";
            RuleBook node = nodes.open(RedisNodes.config(nodes.storeUri(uri, "wrong")));

            StoreStatus status = node.store().status();
            assertThat(status.connected()).isFalse();
            assertThat(status.detail()).containsAnyOf("WRONGPASS", "NOAUTH", "invalid");
            exposed.add(status.toString());
            assertThatThrownBy(() -> node.apply("web", RuleChange.rollback(null), "test")).isInstanceOf(StoreUnavailableException.class)
                    .satisfies(e -> exposed.add(e.getMessage()));
            exposed.addAll(logs.lines());
        }
        assertThat(exposed).noneMatch(s -> s.contains("Wrong-91ab") || s.contains("91ab") || s.contains(PASSWORD));
    }
}
