package io.graygate.rules;

import io.graygate.routing.IpAddress;
import io.graygate.routing.IpEntry;
import io.graygate.routing.IpSet;
import io.graygate.routing.Mode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FileRuleStoreTest {

    @TempDir
    Path dir;

    private final Map<String, RouteRules> seed = Map.of("orders", RouteRules.initial(Mode.GRAY, IpSet.parse(List.of("10.9.9.9"))));

    @Test
    void configSeedsTheStoreOnFirstStartOnly() {
        Path file = dir.resolve("rules.json");
        try (FileRuleStore store = new FileRuleStore(file)) {
            assertThat(store.open(seed, (r, x) -> { }).get("orders").whitelist().size()).isEqualTo(1);
            store.apply("orders", RuleChange.addToWhitelist(List.of(IpEntry.parse("10.1.0.0/16"))));
        }
        Map<String, RouteRules> changedSeed = Map.of("orders", RouteRules.initial(Mode.ALL_GRAY, IpSet.EMPTY));
        try (FileRuleStore store = new FileRuleStore(file)) {
            RouteRules r = store.open(changedSeed, (x, y) -> { }).get("orders");
            assertThat(r.mode()).isEqualTo(Mode.GRAY);
            assertThat(r.whitelist().toStrings()).containsExactlyInAnyOrder("10.9.9.9", "10.1.0.0/16");
            assertThat(r.version()).isEqualTo(2);
        }
    }

    @Test
    void aRouteAddedToTheConfigLaterIsSeededWithoutTouchingTheOthers() {
        Path file = dir.resolve("rules.json");
        try (FileRuleStore store = new FileRuleStore(file)) {
            store.open(seed, (r, x) -> { });
            store.apply("orders", RuleChange.switchToGray());
        }
        try (FileRuleStore store = new FileRuleStore(file)) {
            Map<String, RouteRules> both = Map.of("orders", seed.get("orders"), "users", RouteRules.initial(Mode.GRAY, IpSet.EMPTY));
            Map<String, RouteRules> loaded = store.open(both, (r, x) -> { });
            assertThat(loaded.get("orders").mode()).isEqualTo(Mode.ALL_GRAY);
            assertThat(loaded.get("users").mode()).isEqualTo(Mode.GRAY);
        }
    }

    @Test
    void everyChangeIsOnDiskBeforeApplyReturnsAndNoTemporaryFileIsLeft() throws Exception {
        Path file = dir.resolve("rules.json");
        try (FileRuleStore store = new FileRuleStore(file)) {
            store.open(seed, (r, x) -> { });
            store.apply("orders", RuleChange.setMode(Mode.ALL_PRODUCTION));
            RouteRules onDisk = FileRuleStore.read(file).get("orders");
            assertThat(onDisk.mode()).isEqualTo(Mode.ALL_PRODUCTION);
            assertThat(onDisk.previousMode()).isEqualTo(Mode.GRAY);
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
        assertThatThrownBy(() -> store.apply("orders", RuleChange.switchToGray()))
                .isInstanceOf(StoreUnavailableException.class).hasMessageContaining("cannot write");
        Files.delete(sub);
        Files.createDirectories(sub);
        RouteRules after = store.apply("orders", RuleChange.addToWhitelist(List.of(IpEntry.parse("1.1.1.1"))));
        assertThat(after.mode()).isEqualTo(Mode.GRAY);
        assertThat(after.version()).isEqualTo(2);
    }

    @Test
    void aMillionEntryWhitelistRoundTripsThroughTheFile() {
        List<IpEntry> entries = new ArrayList<>(1_000_000);
        for (int i = 0; i < 1_000_000; i++) entries.add(new IpEntry(IpAddress.ofV4(0x0A000000 + i), 128));
        Path file = dir.resolve("big.json");
        try (FileRuleStore store = new FileRuleStore(file)) {
            store.open(Map.of("big", RouteRules.initial(Mode.GRAY, IpSet.of(entries))), (r, x) -> { });
        }
        RouteRules read = FileRuleStore.read(file).get("big");
        assertThat(read.whitelist().size()).isEqualTo(1_000_000);
        assertThat(read.whitelist().contains(IpAddress.ofV4(0x0A000000 + 999_999))).isTrue();
        assertThat(read.whitelist().contains(IpAddress.ofV4(0x0A000000 + 1_000_000))).isFalse();
    }
}
