package io.graygate.rules;

import io.graygate.config.ConfigLoader;
import io.graygate.config.GatewayConfig;
import io.graygate.routing.IpEntry;
import io.graygate.routing.Mode;
import io.graygate.routing.RouteTable;
import io.graygate.testing.HeldRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RuleBookTest {

    @TempDir
    Path dir;

    private GatewayConfig config() {
        return ConfigLoader.parse("""
                store: file:%s
                upstreams:
                  production: { servers: ["127.0.0.1:1"] }
                  gray: { servers: ["127.0.0.1:2"] }
                routes:
                  - name: orders
                    pathPrefix: /order_center
                    stable: production
                    gray: gray
                    whitelist: ["192.168.2.165"]
                """.formatted(dir.resolve("rules.json")), Map.of());
    }

    @Test
    void aChangeSwapsInANewSnapshotAndLeavesTheOldOneAsItWas() {
        try (RuleBook book = new RuleBook(config(), RuleStores.forUri(config().store())).open()) {
            RouteTable before = book.snapshot();
            book.apply("orders", RuleChange.addToWhitelist(List.of(IpEntry.parse("192.168.2.1"))));
            RouteTable after = book.snapshot();
            assertThat(after).isNotSameAs(before);
            assertThat(version(before, "192.168.2.1")).isEqualTo("production");
            assertThat(version(after, "192.168.2.1")).isEqualTo("gray");
            assertThat(version(after, "192.168.2.16")).isEqualTo("production");
        }
    }

    @Test
    void switchAndRollbackTakeEffectOnTheNextDecision() {
        try (RuleBook book = new RuleBook(config(), RuleStores.forUri(config().store())).open()) {
            book.apply("orders", RuleChange.switchToGray());
            assertThat(version(book.snapshot(), "8.8.8.8")).isEqualTo("gray");
            book.apply("orders", RuleChange.rollback());
            assertThat(version(book.snapshot(), "8.8.8.8")).isEqualTo("production");
            assertThat(version(book.snapshot(), "192.168.2.165")).isEqualTo("gray");
            assertThat(book.rules("orders").mode()).isEqualTo(Mode.GRAY);
        }
    }

    @Test
    void rulesSurviveARestart() {
        try (RuleBook book = new RuleBook(config(), RuleStores.forUri(config().store())).open()) {
            book.apply("orders", RuleChange.setMode(Mode.ALL_GRAY));
        }
        try (RuleBook book = new RuleBook(config(), RuleStores.forUri(config().store())).open()) {
            assertThat(book.rules("orders").mode()).isEqualTo(Mode.ALL_GRAY);
            assertThat(version(book.snapshot(), "8.8.8.8")).isEqualTo("gray");
        }
    }

    @Test
    void anUnknownRouteIsRefusedAndNothingChanges() {
        try (RuleBook book = new RuleBook(config(), RuleStores.forUri(config().store())).open()) {
            RouteTable before = book.snapshot();
            assertThatThrownBy(() -> book.apply("nope", RuleChange.switchToGray()))
                    .isInstanceOf(RuleBook.UnknownRouteException.class).hasMessageContaining("\"nope\"");
            assertThat(book.snapshot()).isSameAs(before);
        }
    }

    private static String version(RouteTable table, String ip) {
        return table.find(null, "/order_center/x").decide(HeldRequest.fromClient(ip)).version();
    }
}
