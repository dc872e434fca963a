package io.graygate.rules;

import ch.qos.logback.classic.Level;
import io.graygate.config.ConfigLoader;
import io.graygate.config.GatewayConfig;
import io.graygate.policy.Mode;
import io.graygate.policy.PolicyException;
import io.graygate.policy.Weights;
import io.graygate.routing.ip.IpEntry;
import io.graygate.routing.RouteTable;
import io.graygate.store.RuleStores;
import io.graygate.testing.HeldRequest;
import io.graygate.testing.LogCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RuleBookTest {

    @TempDir
    Path dir;

    private GatewayConfig config(String whitelist) {
        return ConfigLoader.parse("""
                store: file:%s
                upstreams:
                  production: { servers: ["127.0.0.1:1"] }
                  gray: { servers: ["127.0.0.1:2"] }
                  canary: { servers: ["127.0.0.1:3"] }
                routes:
                  - name: orders
                    pathPrefix: /order_center
                    stable: production
                    gray: gray
                    whitelist: [%s]
                  - name: shop
                    pathPrefix: /shop
                    versions: {production: production, gray: gray, canary: canary}
                    rules:
                      - {name: ramp, split: {by: {header: X-User}, weights: {gray: 10}}}
                """.formatted(dir.resolve("rules.json"), whitelist), Map.of());
    }

    private GatewayConfig config() {
        return config("\"192.168.2.165\"");
    }

    @Test
    void aChangeSwapsInANewSnapshotAndLeavesTheOldOneAsItWas() {
        try (RuleBook book = new RuleBook(config(), RuleStores.forConfig(config())).open()) {
            RouteTable before = book.snapshot();
            book.apply("orders", RuleChange.addToSet("whitelist", List.of(IpEntry.parse("192.168.2.1"))), "test");
            RouteTable after = book.snapshot();
            assertThat(after).isNotSameAs(before);
            assertThat(version(before, "192.168.2.1")).isEqualTo("production");
            assertThat(version(after, "192.168.2.1")).isEqualTo("gray");
            assertThat(version(after, "192.168.2.16")).isEqualTo("production");
        }
    }

    @Test
    void switchAndRollbackTakeEffectOnTheNextDecision() {
        try (RuleBook book = new RuleBook(config(), RuleStores.forConfig(config())).open()) {
            book.apply("orders", RuleChange.switchTo(null), "test");
            assertThat(version(book.snapshot(), "8.8.8.8")).isEqualTo("gray");
            book.apply("orders", RuleChange.rollback(null), "test");
            assertThat(version(book.snapshot(), "8.8.8.8")).isEqualTo("production");
            assertThat(version(book.snapshot(), "192.168.2.165")).isEqualTo("gray");
            assertThat(book.state("orders").policy().mode()).isEqualTo(Mode.GRAY);
            assertThat(book.state("orders").history()).extracting(h -> h.actor()).containsExactly("config", "test", "test");
        }
    }

    @Test
    void rulesSurviveARestart() {
        try (RuleBook book = new RuleBook(config(), RuleStores.forConfig(config())).open()) {
            book.apply("orders", RuleChange.setMode(Mode.ALL_GRAY), "test");
            book.apply("shop", RuleChange.setSplit("ramp", new Weights(Map.of("gray", 2500))), "test");
        }
        try (RuleBook book = new RuleBook(config(), RuleStores.forConfig(config())).open()) {
            assertThat(book.state("orders").policy().mode()).isEqualTo(Mode.ALL_GRAY);
            assertThat(version(book.snapshot(), "8.8.8.8")).isEqualTo("gray");
            assertThat(book.snapshot().route("shop").splitShares()).containsEntry("gray", 2500).containsEntry("production", 7500);
        }
    }

    @Test
    void anUnknownRouteIsRefusedAndNothingChanges() {
        try (RuleBook book = new RuleBook(config(), RuleStores.forConfig(config())).open()) {
            RouteTable before = book.snapshot();
            assertThatThrownBy(() -> book.apply("nope", RuleChange.switchTo(null), "test"))
                    .isInstanceOf(RuleBook.UnknownRouteException.class).hasMessageContaining("\"nope\"");
            assertThat(book.snapshot()).isSameAs(before);
        }
    }

    @Test
    void aRefusedChangeLeavesTheRulesInForce() {
        try (RuleBook book = new RuleBook(config(), RuleStores.forConfig(config())).open()) {
            RouteTable before = book.snapshot();
            long revision = book.state("shop").revision();
            assertThatThrownBy(() -> book.apply("shop", RuleChange.setSplit("ramp", new Weights(Map.of("gray", 6000))), "test"))
                    .isInstanceOf(PolicyException.class).hasMessageStartingWith("weights.gray: 60 exceeds the slot of 50");
            assertThat(book.snapshot()).isSameAs(before);
            assertThat(book.state("shop").revision()).isEqualTo(revision);
        }
    }

    @Test
    void aConfigurationThatDiffersFromTheStoreIsSaidOnceAndReseedPutsItInForce() {
        try (RuleBook book = new RuleBook(config(), RuleStores.forConfig(config())).open()) {
            book.apply("orders", RuleChange.addToSet("whitelist", List.of(IpEntry.parse("10.0.0.1"))), "test");
        }
        GatewayConfig edited = config("\"192.168.2.165\", \"192.168.2.166\"");
        try (LogCapture log = LogCapture.of(Level.INFO, RuleBook.class.getName());
             RuleBook book = new RuleBook(edited, RuleStores.forConfig(edited)).open()) {
            assertThat(log.messages(Level.WARN, "route orders")).singleElement().satisfies(m -> assertThat(m)
                    .contains("route orders: the configuration's rules differ from the store's, and the store's are in force")
                    .contains("IP set whitelist (configuration: 2 entries; store: 2 entries)")
                    .contains("graygate serve --reseed orders"));
            assertThat(version(book.snapshot(), "10.0.0.1")).isEqualTo("gray");
            assertThat(version(book.snapshot(), "192.168.2.166")).isEqualTo("production");
        }
        try (RuleBook book = new RuleBook(edited, RuleStores.forConfig(edited)).open(Set.of("orders"))) {
            assertThat(version(book.snapshot(), "10.0.0.1")).isEqualTo("production");
            assertThat(version(book.snapshot(), "192.168.2.166")).isEqualTo("gray");
            assertThat(book.state("orders").history().get(book.state("orders").history().size() - 1).actor()).isEqualTo("reseed");
        }
    }

    private static String version(RouteTable table, String ip) {
        return table.find(null, "/order_center/x").decide(HeldRequest.fromClient(ip)).version();
    }
}
