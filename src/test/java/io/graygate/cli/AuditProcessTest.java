package io.graygate.cli;

import io.graygate.testing.GatewayProcess;
import io.graygate.testing.Polling;
import io.graygate.testing.TestUpstream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** A real {@code graygate serve}: the CLI's change and a SIGHUP reload are in the audit log, which the next process still reads. */
class AuditProcessTest {

    @TempDir
    Path dir;

    private static final String TOKENS = "admin:\n  listen: 127.0.0.1:0\n  tokens: [{name: deploy-bot, token: bot-secret}]\n";

    private static String config(Path dir, String upstream, boolean withApi) {
        return GatewayProcess.oneUpstreamConfig(dir, upstream, "").replace("admin: {listen: 127.0.0.1:0}\n", TOKENS)
                + (withApi ? "  - {name: api, pathPrefix: /api, stable: production, gray: production}\n" : "");
    }

    private static CliRun graygate(GatewayProcess g, String... args) {
        String[] all = java.util.Arrays.copyOf(args, args.length + 2);
        all[args.length] = "--admin=" + g.adminUri();
        all[args.length + 1] = "--token=bot-secret";
        return CliRun.of(all);
    }

    @Test
    void theCliAndASighupAreRecordedAndTheNextProcessReadsThem() throws Exception {
        try (TestUpstream app = TestUpstream.start("app")) {
            String firstNode;
            try (GatewayProcess g = GatewayProcess.start(dir, "node", config(dir, app.hostPort(), false))) {
                assertThat(graygate(g, "gray", "add", "app", "10.0.0.1").exitCode()).isZero();
                Files.writeString(dir.resolve("node.yaml"), config(dir, app.hostPort(), true));
                assertThat(new ProcessBuilder("kill", "-HUP", Long.toString(g.pid())).start().waitFor()).isZero();
                Polling.await("the reload's entry", Duration.ofSeconds(10), () -> graygate(g, "audit").out().lines().count() == 2);
                firstNode = graygate(g, "audit", "app").out().replaceAll("(?s).*  on (\\S+): .*", "$1");
                assertThat(firstNode).endsWith("#" + g.pid());
            }
            try (GatewayProcess again = GatewayProcess.start(dir, "node", config(dir, app.hostPort(), true))) {
                assertThat(graygate(again, "switch", "app", "--actor", "release-job-42").exitCode()).isZero();
                Polling.await("three entries", Duration.ofSeconds(10), () -> graygate(again, "audit").out().lines().count() == 3);
                String[] lines = graygate(again, "audit", "--since", "1h").out().split("\n");
                assertThat(lines[0]).contains("  app  rev 2->3  deploy-bot (release-job-42)  on ").endsWith(": switch: everyone to gray")
                        .doesNotContain(firstNode);
                assertThat(lines[1]).contains("  api  rev 0->1  reload  on " + firstNode + ": route added by a reload");
                assertThat(lines[2]).contains("  app  rev 1->2  deploy-bot (" + AdminClient.ACTOR + ")  on " + firstNode
                        + ": whitelist add 10.0.0.1 (1 entry)");
            }
        }
    }
}
