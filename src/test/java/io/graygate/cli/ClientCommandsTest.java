package io.graygate.cli;

import io.graygate.admin.RunningAdmin;
import io.graygate.routing.ip.IpEntry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ClientCommandsTest {

    @TempDir
    Path dir;

    RunningAdmin admin;

    @BeforeEach
    void start() {
        admin = RunningAdmin.start(dir);
    }

    @AfterEach
    void stop() {
        admin.close();
    }

    /** Runs a client command against the test's admin server, with no token whatever the environment holds. */
    private CliRun graygate(String... args) {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        all.addAll(List.of("--admin", admin.url(), "--token="));
        return CliRun.of(all.toArray(new String[0]));
    }

    private boolean whitelisted(String route, String entry) {
        return admin.rules().state(route).ipSets().get("whitelist").containsEntry(IpEntry.parse(entry));
    }

    @Test
    void grayAddPutsTheEntriesInForceAndPrintsTheRoutesNewState() {
        CliRun r = graygate("gray", "add", "demo", "8.8.8.8", "172.16.0.0/12", "2001:db9::/48");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo("demo: mode gray, whitelist 6 entries, revision 2\n");
        assertThat(r.err()).isEmpty();
        assertThat(whitelisted("demo", "8.8.8.8")).isTrue();
        assertThat(whitelisted("demo", "172.16.0.0/12")).isTrue();
        assertThat(whitelisted("demo", "2001:db9::/48")).isTrue();
    }

    @Test
    void grayRemoveTakesEntriesOut() {
        CliRun r = graygate("gray", "remove", "demo", "192.168.2.165");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo("demo: mode gray, whitelist 2 entries, revision 2\n");
        assertThat(whitelisted("demo", "192.168.2.165")).isFalse();
    }

    @Test
    void grayListPrintsOneEntryALineInAddressOrder() {
        CliRun r = graygate("gray", "list", "demo");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo("10.1.0.0/16\n192.168.2.165\n2001:db8::/32\n");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void grayListOfAnEmptyWhitelistSaysSoOnStderr() {
        CliRun r = graygate("gray", "list", "api");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("api: the whitelist is empty\n");
    }

    @Test
    void aBadEntryIsRefusedNamingItAndNothingChanges() {
        CliRun r = graygate("gray", "add", "demo", "8.8.8.8", "foo");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("graygate: entries[1]: not an IP address or CIDR: \"foo\"\n");
        assertThat(whitelisted("demo", "8.8.8.8")).isFalse();
        assertThat(admin.rules().state("demo").revision()).isEqualTo(1);
    }

    @Test
    void switchThenRollbackReturnsTheRouteToItsPreviousMode() {
        CliRun switched = graygate("switch", "demo");
        assertThat(switched.exitCode()).isZero();
        assertThat(switched.out()).isEqualTo("demo: mode all-gray (was gray), whitelist 3 entries, revision 2\n");
        assertThat(admin.rules().snapshot().route("demo").policy().mode().text()).isEqualTo("all-gray");

        CliRun rolledBack = graygate("rollback", "demo");
        assertThat(rolledBack.exitCode()).isZero();
        assertThat(rolledBack.out()).isEqualTo("demo: mode gray, whitelist 3 entries, revision 3\n");
        assertThat(admin.rules().snapshot().route("demo").policy().mode().text()).isEqualTo("gray");
    }

    @Test
    void modeSetsTheModeAndRefusesAnUnknownOne() {
        CliRun r = graygate("mode", "api", "gray");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo("api: mode gray (was all-production), whitelist 0 entries, revision 2\n");

        CliRun bad = graygate("mode", "api", "blue");
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.err()).isEqualTo("graygate: mode: unknown mode \"blue\"; expected gray, all-gray or all-production\n");
        assertThat(admin.rules().state("api").revision()).isEqualTo(2);
    }

    @Test
    void explainNamesTheVersionTheRuleAndTheEntry() {
        CliRun v4 = graygate("explain", "demo", "--ip", "10.1.2.3");
        assertThat(v4.exitCode()).isZero();
        assertThat(v4.out()).isEqualTo("""
                demo: 10.1.2.3 goes to gray (upstream gray)
                  because rule whitelist: client IP in set whitelist (3 entries), matching entry 10.1.0.0/16
                  => whitelist: client IP in set whitelist (3 entries); client IP 10.1.2.3 is in entry 10.1.0.0/16 -> gray
                """);
        CliRun v6 = graygate("explain", "demo", "--ip", "2001:db8:1::5");
        assertThat(v6.out()).contains(", matching entry 2001:db8::/32\n");
        CliRun unlisted = graygate("explain", "demo", "--ip", "10.2.0.1");
        assertThat(unlisted.out()).isEqualTo("""
                demo: 10.2.0.1 goes to production (upstream production)
                  because no rule decided: the baseline
                     whitelist: client IP in set whitelist (3 entries); client IP 10.2.0.1 is in no entry
                """);
    }

    @Test
    void explainFindsTheRouteByPathWhenNoRouteIsGiven() {
        CliRun r = graygate("explain", "--ip", "10.1.2.3", "--path", "/api/orders?id=1");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo("""
                api: 10.1.2.3 goes to production (upstream production)
                  because override: everyone to production
                """);
        CliRun neither = graygate("explain", "--ip", "10.1.2.3");
        assertThat(neither.exitCode()).isEqualTo(2);
        assertThat(neither.err()).isEqualTo("graygate: explain: give ROUTE or --path\n");
        CliRun badIp = graygate("explain", "demo", "--ip", "10.1.2");
        assertThat(badIp.exitCode()).isEqualTo(1);
        assertThat(badIp.err()).isEqualTo("graygate: ip: not an IP address: \"10.1.2\"\n");
    }

    @Test
    void statusShowsHealthStoreAndEveryRouteAsATable() {
        graygate("switch", "api");
        CliRun r = graygate("status");
        assertThat(r.exitCode()).isZero();
        String[] lines = r.out().split("\n");
        assertThat(lines[0]).isEqualTo("gateway ok (admin " + admin.url() + "), 2 routes");
        assertThat(lines[1]).matches("store file " + java.util.regex.Pattern.quote(dir.resolve("rules.json").toAbsolutePath().normalize().toString()) + ": connected, last sync \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        assertThat(lines[2]).matches("rules in force: snapshot revision 2, put in force \\d+\\.\\ds ago, from file, store last read \\d+\\.\\ds ago");
        assertThat(lines[3]).isEmpty();
        assertThat(lines[4]).matches("ROUTE +MATCH +POLICY +IP SETS +REVISION +VERSIONS \\(\\* baseline\\)");
        assertThat(lines[5]).matches("demo +/ +mode gray +whitelist:3 +1 +\\*production=production 127\\.0\\.0\\.1:18001  gray=gray 127\\.0\\.0\\.1:18002,\\[::1]:18003");
        assertThat(lines[6]).matches("api +/api +mode all-gray \\(was all-production\\) +whitelist:0 +2 +\\*production=production 127\\.0\\.0\\.1:18001  gray=gray .*");
        assertThat(lines).hasSize(7);
        // columns line up: every row's POLICY cell starts where the header's does
        int policyColumn = lines[4].indexOf("POLICY");
        assertThat(lines[5].substring(policyColumn)).startsWith("mode gray ");
        assertThat(lines[6].substring(policyColumn)).startsWith("mode all-gray ");
    }

    @Test
    void anUnknownRouteIsOneLineAndExitCodeOne() {
        List<String[]> commands = List.of(
                new String[] {"gray", "add", "nope", "1.2.3.4"},
                new String[] {"gray", "remove", "nope", "1.2.3.4"},
                new String[] {"gray", "list", "nope"},
                new String[] {"switch", "nope"},
                new String[] {"rollback", "nope"},
                new String[] {"mode", "nope", "gray"},
                new String[] {"explain", "nope", "--ip", "1.2.3.4"});
        for (String[] command : commands) {
            CliRun r = graygate(command);
            assertThat(r.exitCode()).as(String.join(" ", command)).isEqualTo(1);
            assertThat(r.err()).as(String.join(" ", command)).isEqualTo("graygate: route \"nope\" not found\n");
            assertThat(r.out()).isEmpty();
        }
    }

    @Test
    void aRouteNameIsSentAsOnePathSegment() {
        CliRun r = graygate("gray", "list", "de mo/../api");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("graygate: route \"de mo/../api\" not found\n");
    }

    @Test
    void anUnreachableAdminApiIsOneLineAndExitCodeOne() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        CliRun r = CliRun.of("status", "--admin", "http://127.0.0.1:" + closedPort, "--token=");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("graygate: cannot reach admin API at http://127.0.0.1:" + closedPort + ": connection refused\n");
    }

    @Test
    void aMalformedAdminUrlIsAUsageError() {
        CliRun r = CliRun.of("status", "--admin", "127.0.0.1:9090", "--token=");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("graygate: --admin: expected a URL such as http://127.0.0.1:9090, got \"127.0.0.1:9090\"\n");
    }

    @Test
    void missingArgumentsAreUsageErrors() {
        CliRun r = graygate("gray", "add", "demo");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).startsWith("Missing required parameter: 'ENTRY'");
        assertThat(admin.rules().state("demo").revision()).isEqualTo(1);
        assertThat(CliRun.of().exitCode()).isEqualTo(2);
        assertThat(CliRun.of().err()).contains("Usage: graygate");
        assertThat(CliRun.of("frobnicate").exitCode()).isEqualTo(2);
    }

    @Test
    void versionAndHelpAnswerWithoutAGateway() {
        CliRun version = CliRun.of("--version");
        assertThat(version.exitCode()).isZero();
        assertThat(version.out()).startsWith("graygate ");
        CliRun help = CliRun.of("help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("serve", "gray", "switch", "rollback", "mode", "explain", "status");
        CliRun grayHelp = CliRun.of("help", "gray");
        assertThat(grayHelp.out()).contains("add", "remove", "list");
    }
}
