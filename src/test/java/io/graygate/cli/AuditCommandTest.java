package io.graygate.cli;

import io.graygate.Gateway;
import io.graygate.audit.AuditEntry;
import io.graygate.config.ConfigLoader;
import io.graygate.testing.Polling;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The CLI's changes are recorded under the token's name with USER@HOST (or --actor) beside it; graygate audit lists them. */
class AuditCommandTest {

    @TempDir
    Path dir;
    private Gateway gateway;

    @BeforeEach
    void start() {
        gateway = Gateway.start(ConfigLoader.parse("""
                listen: 127.0.0.1:0
                admin:
                  listen: 127.0.0.1:0
                  tokens: [{name: deploy-bot, token: bot-secret}, {name: alice, token: alice-secret}]
                store: file:%s
                upstreams: {v1: {servers: ["127.0.0.1:18001"]}, v2: {servers: ["127.0.0.1:18002"]}}
                routes:
                  - {name: demo, pathPrefix: /, stable: v1, gray: v2}
                  - {name: api, pathPrefix: /api, stable: v1, gray: v2}
                proxy: {accessLog: false}
                """.formatted(dir.resolve("rules.json")), Map.of()));
    }

    @AfterEach
    void stop() {
        gateway.close();
    }

    private CliRun graygate(String token, String... args) {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        all.addAll(List.of("--admin", "http://127.0.0.1:" + gateway.adminPort(), "--token=" + token));
        return CliRun.of(all.toArray(new String[0]));
    }

    private List<AuditEntry> awaitEntries(int n) {
        Polling.await(n + " entries", Duration.ofSeconds(10), () -> gateway.audit().read(null, null, 100).size() >= n);
        return gateway.audit().read(null, null, 100);
    }

    @Test
    void theCliSaysWhoIsAtTheKeyboardBesideTheTokensName() {
        assertThat(graygate("bot-secret", "gray", "add", "demo", "8.8.8.8").exitCode()).isZero();
        assertThat(graygate("bot-secret", "switch", "demo", "--actor", "bob@laptop").exitCode()).isZero();
        assertThat(graygate("alice-secret", "rollback", "demo", "--actor", "ci\u0007 (job 7)\nx").exitCode()).isZero();

        List<AuditEntry> entries = awaitEntries(3); // newest first
        assertThat(entries).extracting(AuditEntry::actor).containsExactly(
                "alice (ci? ?job 7??x)", "deploy-bot (bob@laptop)", "deploy-bot (" + AdminClient.ACTOR + ")");
        assertThat(entries.get(0).change()).isEqualTo("rollback to revision 2");
        assertThat(entries.get(0).revisionBefore()).isEqualTo(3);
        assertThat(entries.get(0).revisionAfter()).isEqualTo(4);
    }

    @Test
    void auditPrintsOneLinePerEntryNewestFirst() {
        assertThat(graygate("bot-secret", "gray", "add", "demo", "8.8.8.8").exitCode()).isZero();
        assertThat(graygate("bot-secret", "mode", "api", "all-gray", "--actor", "ops").exitCode()).isZero();
        awaitEntries(2);

        CliRun all = graygate("alice-secret", "audit", "--since", "1h");
        assertThat(all.exitCode()).as(all.err()).isZero();
        String[] lines = all.out().split("\n");
        assertThat(lines).hasSize(2);
        assertThat(lines[0]).matches("\\S+Z  api  rev 1->2  deploy-bot \\(ops\\)  on " + java.util.regex.Pattern.quote(gateway.node().id())
                + ": mode all-gray");
        assertThat(lines[1]).endsWith(": whitelist add 8.8.8.8 (1 entry)").contains("  demo  rev 1->2  deploy-bot (");

        CliRun demo = graygate("alice-secret", "audit", "demo", "--limit", "5");
        assertThat(demo.out().split("\n")).hasSize(1);
        assertThat(demo.out()).contains("whitelist add 8.8.8.8");

        CliRun bad = graygate("alice-secret", "audit", "--since", "last week");
        assertThat(bad.exitCode()).isNotZero();
        assertThat(bad.err()).contains("since: expected an ISO-8601 time");

        CliRun none = graygate("alice-secret", "audit", "nothing-here");
        assertThat(none.exitCode()).isZero();
        assertThat(none.out()).isEmpty();
        assertThat(none.err()).contains("no audit entries for route nothing-here");
    }
}
