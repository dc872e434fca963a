package io.graygate.store.file;

import io.graygate.store.HistoryEntry;
import io.graygate.store.StateCodec;

import io.graygate.policy.Mode;
import io.graygate.policy.PolicyScope;
import io.graygate.routing.ip.IpAddress;
import io.graygate.routing.ip.IpEntry;
import io.graygate.routing.ip.IpSet;
import io.graygate.store.RouteState;
import io.graygate.store.RuleStore;
import io.graygate.store.StoreUnavailableException;
import io.graygate.testing.States;
import io.graygate.rules.RuleChange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FileRuleStoreTest {

    private static final PolicyScope SCOPE = new PolicyScope(List.of("production", "gray"), Set.of("whitelist"));

    @TempDir
    Path dir;

    private final Map<String, RouteState> seed = Map.of("orders", States.legacy(IpSet.parse(List.of("10.9.9.9"))));

    private static RuleStore.ChangePlan plan(RuleChange c) {
        return s -> c.plan("orders", s, SCOPE, new RuleChange.Meta("test", Instant.now()));
    }

    @Test
    void configSeedsTheStoreOnFirstStartOnly() {
        Path file = dir.resolve("rules.json");
        try (FileRuleStore store = new FileRuleStore(file)) {
            assertThat(store.open(seed, (r, x) -> { }).get("orders").ipSets().get("whitelist").size()).isEqualTo(1);
            store.apply("orders", plan(RuleChange.addToSet("whitelist", List.of(IpEntry.parse("10.1.0.0/16")))));
        }
        Map<String, RouteState> changedSeed = Map.of("orders", States.legacy(IpSet.EMPTY));
        try (FileRuleStore store = new FileRuleStore(file)) {
            RouteState r = store.open(changedSeed, (x, y) -> { }).get("orders");
            assertThat(r.policy().mode()).isEqualTo(Mode.GRAY);
            assertThat(r.ipSets().get("whitelist").toStrings()).containsExactlyInAnyOrder("10.9.9.9", "10.1.0.0/16");
            assertThat(r.revision()).isEqualTo(2);
            assertThat(r.history()).hasSize(2);
        }
    }

    @Test
    void aRouteAddedToTheConfigLaterIsSeededWithoutTouchingTheOthers() {
        Path file = dir.resolve("rules.json");
        try (FileRuleStore store = new FileRuleStore(file)) {
            store.open(seed, (r, x) -> { });
            store.apply("orders", plan(RuleChange.switchTo(null)));
        }
        try (FileRuleStore store = new FileRuleStore(file)) {
            Map<String, RouteState> both = Map.of("orders", seed.get("orders"), "users", States.legacy(IpSet.EMPTY));
            Map<String, RouteState> loaded = store.open(both, (r, x) -> { });
            assertThat(loaded.get("orders").policy().mode()).isEqualTo(Mode.ALL_GRAY);
            assertThat(loaded.get("users").policy().mode()).isEqualTo(Mode.GRAY);
        }
    }

    @Test
    void everyChangeIsOnDiskBeforeApplyReturnsAndNoTemporaryFileIsLeft() throws Exception {
        Path file = dir.resolve("rules.json");
        try (FileRuleStore store = new FileRuleStore(file)) {
            store.open(seed, (r, x) -> { });
            store.apply("orders", plan(RuleChange.setMode(Mode.ALL_PRODUCTION)));
            RouteState onDisk = RulesFile.read(file, Map.of()).states().get("orders");
            assertThat(onDisk.policy().mode()).isEqualTo(Mode.ALL_PRODUCTION);
            assertThat(onDisk.history().get(1).change()).isEqualTo("mode all-production");
        }
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("rules.json");
        }
    }

    @Test
    void aWriteThatFailsChangesNothingAndSaysWhy() throws Exception {
        Path sub = Files.createDirectories(dir.resolve("sub"));
        Path file = sub.resolve("rules.json");
        FileRuleStore store = new FileRuleStore(file);
        store.open(seed, (r, x) -> { });
        // Replace the directory with a file so that the next write cannot create its temporary file.
        Files.delete(file);
        Files.delete(sub);
        Files.writeString(sub, "not a directory");
        assertThatThrownBy(() -> store.apply("orders", plan(RuleChange.switchTo(null))))
                .isInstanceOf(StoreUnavailableException.class).hasMessageContaining("cannot write");
        Files.delete(sub);
        Files.createDirectories(sub);
        RouteState after = store.apply("orders", plan(RuleChange.addToSet("whitelist", List.of(IpEntry.parse("1.1.1.1")))));
        assertThat(after.policy().mode()).isEqualTo(Mode.GRAY);
        assertThat(after.revision()).isEqualTo(2);
    }

    @Test
    void aMillionEntryWhitelistRoundTripsThroughTheFile() {
        List<IpEntry> entries = new ArrayList<>(1_000_000);
        for (int i = 0; i < 1_000_000; i++) entries.add(new IpEntry(IpAddress.ofV4(0x0A000000 + i), 128));
        Path file = dir.resolve("big.json");
        try (FileRuleStore store = new FileRuleStore(file)) {
            store.open(Map.of("big", States.legacy(IpSet.of(entries))), (r, x) -> { });
        }
        IpSet read = RulesFile.read(file, Map.of()).states().get("big").ipSets().get("whitelist");
        assertThat(read.size()).isEqualTo(1_000_000);
        assertThat(read.contains(IpAddress.ofV4(0x0A000000 + 999_999))).isTrue();
        assertThat(read.contains(IpAddress.ofV4(0x0A000000 + 1_000_000))).isFalse();
    }

    /** The file graygate's first release wrote (format 1), byte for byte as its RulesFile wrote it. */
    private static final String FIRST_RELEASE_FILE = """
            {"format":1,"routes":{"orders":{"mode":"all-gray","previousMode":"gray","version":7,\
            "whitelist":["10.9.9.9","192.168.2.0/24","2001:db8::1"]},"users":{"mode":"all-production","version":3,"whitelist":[]}}}""";

    @Test
    void aStoreWrittenByTheFirstReleaseIsMigratedWithoutLossAndRewritten() throws Exception {
        Path file = dir.resolve("rules.json");
        Files.writeString(file, FIRST_RELEASE_FILE);
        try (FileRuleStore store = new FileRuleStore(file)) {
            Map<String, RouteState> loaded = store.open(seed, (r, x) -> { });
            RouteState orders = loaded.get("orders");
            assertThat(orders.revision()).isEqualTo(7);
            assertThat(orders.policy().override()).isEqualTo("gray");
            assertThat(orders.policy().rules()).isEqualTo(seed.get("orders").policy().rules());
            assertThat(orders.ipSets().get("whitelist").toStrings()).containsExactlyInAnyOrder("10.9.9.9", "192.168.2.0/24", "2001:db8::1");
            // its previous mode becomes the revision before, so a rollback still returns to it
            assertThat(orders.history()).extracting(HistoryEntry::revision).containsExactly(6L, 7L);
            assertThat(orders.history()).extracting(HistoryEntry::actor).containsOnly("migration");
            assertThat(orders.history().get(0).policy().mode()).isEqualTo(Mode.GRAY);
            RouteState users = loaded.get("users");
            assertThat(users.policy().mode()).as("a route the configuration no longer has keeps its rules").isEqualTo(Mode.ALL_PRODUCTION);
            assertThat(users.revision()).isEqualTo(3);
            assertThat(users.history()).as("no previous mode: nothing before the migration").extracting(HistoryEntry::revision).containsExactly(3L);
        }
        assertThat(Files.readString(file)).startsWith("{\"format\":2,");
        try (FileRuleStore store = new FileRuleStore(file)) {
            RouteState again = store.open(seed, (r, x) -> { }).get("orders");
            assertThat(again.revision()).isEqualTo(7);
            RouteState back = store.apply("orders", plan(RuleChange.rollback(null)));
            assertThat(back.policy().mode()).as("the first release's previous mode, as its rollback gave").isEqualTo(Mode.GRAY);
            assertThat(back.revision()).isEqualTo(8);
        }
    }

    @Test
    void aStoreWrittenInANewerFormatIsRefusedAndLeftAsItIs() throws Exception {
        Path file = dir.resolve("rules.json");
        String later = "{\"format\":3,\"routes\":{\"orders\":{\"revision\":9,\"policy\":{\"baseline\":\"production\"}}}}";
        Files.writeString(file, later);
        try (FileRuleStore store = new FileRuleStore(file)) {
            assertThatThrownBy(() -> store.open(seed, (r, x) -> { }))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("format 3 was written by a newer graygate (this one reads up to 2)");
        }
        assertThat(Files.readString(file)).isEqualTo(later);
    }

    /** A last-known-good snapshot of graygate's first release, a route reading the seed's Redis key, as it wrote it. */
    private static final String FIRST_RELEASE_SNAPSHOT = """
            {"format":1,"routes":{"orders":{"mode":"gray","previousMode":"all-production","version":4,"whitelist":["10.9.9.9"],            "whitelistKey":{"key":"gray","entries":["192.168.2.165","10.1.0.0/16"]}}}}""";

    @Test
    void aSnapshotWrittenByTheFirstReleaseKeepsItsWhitelistKeyAndPreviousMode() throws Exception {
        Path file = dir.resolve("snapshot.json");
        Files.writeString(file, FIRST_RELEASE_SNAPSHOT);
        StateCodec.Routes read = RulesFile.read(file, seed);
        assertThat(read.format()).isEqualTo(1);
        RouteState orders = read.states().get("orders");
        assertThat(orders.revision()).isEqualTo(4);
        assertThat(orders.policy().mode()).isEqualTo(Mode.GRAY);
        assertThat(orders.keySets().get("whitelistKey").key()).isEqualTo("gray");
        assertThat(orders.keySets().get("whitelistKey").entries().toStrings()).containsExactlyInAnyOrder("192.168.2.165", "10.1.0.0/16");
        assertThat(orders.ipSets().get("whitelist").toStrings()).containsExactly("10.9.9.9");
        RouteState back = RuleChange.rollback(null).plan("orders", orders, SCOPE.withIpSets(orders.allSets().keySet()),
                new RuleChange.Meta("test", Instant.now())).applyTo(orders);
        assertThat(back.policy().mode()).isEqualTo(Mode.ALL_PRODUCTION);
    }
}
