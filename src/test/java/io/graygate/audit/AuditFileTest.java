package io.graygate.audit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The file store's audit log: JSON lines beside the rules file, rotated by size, read newest first across the rotated files. */
class AuditFileTest {

    @TempDir
    Path dir;

    private static AuditEntry entry(int i, Instant at) {
        return new AuditEntry(at, "deploy-bot (alice@host)", "gw1:9090", i % 2 == 0 ? "even" : "odd",
                "whitelist add 10.0.0." + (i % 250) + " (1 entry) \"quoted\" \u00e9", i, i + 1);
    }

    @Test
    void theFileSitsBesideTheRulesFile() {
        assertThat(AuditFile.besideRules(dir.resolve("graygate-rules.json"))).isEqualTo(dir.resolve("graygate-rules.audit.jsonl"));
        assertThat(AuditFile.besideRules(dir.resolve("rules"))).isEqualTo(dir.resolve("rules.audit.jsonl"));
    }

    @Test
    void aFileOverItsSizeIsRotatedKeepingTheNewestFilesAndReadsSpanThem() throws Exception {
        AuditFile file = new AuditFile(dir.resolve("rules.audit.jsonl"), 4096, 2);
        Instant t0 = Instant.parse("2026-12-03T10:00:00Z");
        List<AuditEntry> written = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            AuditEntry e = entry(i, t0.plusSeconds(i));
            written.add(e);
            file.append(List.of(e));
        }
        file.close();

        assertThat(Files.size(file.file())).isLessThanOrEqualTo(4096);
        assertThat(Files.size(file.rotated(1))).isLessThanOrEqualTo(4096);
        assertThat(file.rotated(2)).exists();
        assertThat(file.rotated(3)).doesNotExist(); // keep 2: the oldest went
        long kept = 0;
        for (Path p : List.of(file.file(), file.rotated(1), file.rotated(2))) kept += Files.readAllLines(p).size();
        assertThat(kept).isLessThan(200);

        List<AuditEntry> all = file.read(null, null, 10_000);
        assertThat(all).hasSize((int) kept);
        assertThat(all.get(0)).isEqualTo(written.get(199)); // newest first, across the files, equal after the round trip
        for (int i = 1; i < all.size(); i++) assertThat(all.get(i).time()).isBefore(all.get(i - 1).time());

        assertThat(file.read("odd", null, 3)).extracting(AuditEntry::revisionBefore).containsExactly(199L, 197L, 195L);
        assertThat(file.read(null, t0.plusSeconds(190), 100)).hasSize(10);
    }

    @Test
    void aTornLastLineIsSkippedAndWritingGoesOnAfterIt() throws Exception {
        Path path = dir.resolve("rules.audit.jsonl");
        AuditFile file = new AuditFile(path, 1 << 20, 3);
        file.append(List.of(entry(1, Instant.parse("2026-12-03T10:00:00Z"))));
        file.close();
        Files.writeString(path, "{\"time\": \"2026-12-03T10:00:01Z\", \"act", java.nio.file.StandardOpenOption.APPEND); // a crash mid-line
        AuditFile again = new AuditFile(path, 1 << 20, 3);
        assertThat(again.read(null, null, 10)).hasSize(1);
    }
}
