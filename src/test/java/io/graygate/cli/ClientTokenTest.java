package io.graygate.cli;

import io.graygate.admin.RunningAdmin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class ClientTokenTest {

    static final String TOKEN = "cli-test-token";

    @TempDir
    Path dir;

    RunningAdmin admin;

    @BeforeEach
    void start() {
        admin = RunningAdmin.start(dir, TOKEN);
    }

    @AfterEach
    void stop() {
        admin.close();
    }

    @Test
    void withoutATokenTheCommandSaysHowToGiveOne() {
        CliRun r = CliRun.of("switch", "demo", "--admin", admin.url(), "--token=");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("graygate: 401 unauthorized: set --token or GRAYGATE_ADMIN_TOKEN\n");
        assertThat(admin.rules().state("demo").revision()).isEqualTo(1);
    }

    @Test
    void aWrongTokenIsReportedAsRefused() {
        CliRun r = CliRun.of("gray", "add", "demo", "8.8.8.8", "--admin", admin.url(), "--token", "not-it");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("graygate: 401 unauthorized: the admin API refused the token; check --token or GRAYGATE_ADMIN_TOKEN\n");
        assertThat(admin.rules().state("demo").ipSets().get("whitelist").size()).isEqualTo(3);
    }

    @Test
    void statusAndChangesWorkWithTheToken() {
        CliRun status = CliRun.of("status", "--admin", admin.url(), "--token", TOKEN);
        assertThat(status.exitCode()).isZero();
        assertThat(status.out()).startsWith("gateway ok");
        CliRun change = CliRun.of("switch", "demo", "--admin", admin.url(), "--token", TOKEN);
        assertThat(change.exitCode()).isZero();
        assertThat(admin.rules().state("demo").policy().mode().text()).isEqualTo("all-gray");
    }
}
