package io.graygate.cli;

import io.graygate.admin.PolicyApiTestConfig;
import io.graygate.admin.RunningAdmin;
import io.graygate.testing.HeldRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The policy commands: policy show/apply, split, set, switch VERSION, promote, rollback --to, history, explain with request details. */
class PolicyCommandsTest {

    @TempDir
    Path dir;
    RunningAdmin admin;

    @BeforeEach
    void start() {
        admin = RunningAdmin.startWith(dir, PolicyApiTestConfig.CONFIG, Map.of());
    }

    @AfterEach
    void stop() {
        admin.close();
    }

    private CliRun graygate(String... args) {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        all.addAll(List.of("--admin", admin.url(), "--token="));
        return CliRun.of(all.toArray(new String[0]));
    }

    private String decide(HeldRequest r) {
        return admin.rules().snapshot().route("shop").decide(r).version();
    }

    @Test
    void policyShowPrintsYamlThatPolicyApplyTakesBackGuardedByItsRevision() throws Exception {
        CliRun shown = graygate("policy", "show", "shop");
        assertThat(shown.exitCode()).isZero();
        assertThat(shown.out()).startsWith("route: shop\nrevision: 1\npolicy:\n  baseline: production\n");
        assertThat(shown.out()).endsWith("  - name: ramp\n    split:\n      by:\n        cookie: uid\n      weights:\n        gray: 10\n        canary: 2.5\n");

        Path file = dir.resolve("shop.yaml");
        Files.writeString(file, shown.out().replace("gray: 10", "gray: 20"));
        CliRun applied = graygate("policy", "apply", "shop", file.toString());
        assertThat(applied.err()).isEmpty();
        assertThat(applied.out()).isEqualTo("shop: policy applied, revision 2\n");
        assertThat(admin.get("/api/routes/shop").json().path("shares").path("gray").asDouble()).isEqualTo(20.0);

        CliRun stale = graygate("policy", "apply", "shop", file.toString());
        assertThat(stale.exitCode()).isEqualTo(1);
        assertThat(stale.err()).isEqualTo("graygate: route shop is at revision 2, not 1 (changed meanwhile); read it again and retry\n");
        assertThat(graygate("policy", "apply", "--force", "shop", file.toString()).out()).isEqualTo("shop: policy applied, revision 3\n");
    }

    @Test
    void policyApplyRefusesABadFileWholeNamingTheField() throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, """
                baseline: production
                rules:
                  - {name: beta, when: {header: {name: X-Beta, equals: "on"}}, to: canary}
                  - {name: ramp, split: {weights: {canary: 60}}}
                """);
        CliRun r = graygate("policy", "apply", "shop", file.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).startsWith("graygate: rules[1].split.weights.canary: 60 exceeds the slot of 50");
        assertThat(admin.rules().state("shop").revision()).isEqualTo(1);
        Files.writeString(file, "baseline: production\nbaseline: gray\n");
        CliRun dup = graygate("policy", "apply", "shop", file.toString());
        assertThat(dup.exitCode()).isEqualTo(2);
        assertThat(dup.err()).startsWith("graygate: " + file + ": not valid YAML or JSON: Duplicate field 'baseline'");
        assertThat(graygate("policy", "apply", "shop", dir.resolve("none.yaml").toString()).err()).endsWith("none.yaml: no such file\n");
    }

    @Test
    void splitSetsWeightsAndRefusesAMalformedPair() {
        CliRun r = graygate("split", "shop", "ramp", "gray=30", "canary=1.5");
        assertThat(r.out()).isEqualTo("shop: split ramp now gray 30%, canary 1.5%, revision 2\n");
        assertThat(admin.get("/api/routes/shop").json().path("shares").path("canary").asDouble()).isEqualTo(1.5);
        CliRun bad = graygate("split", "shop", "ramp", "gray");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).isEqualTo("graygate: split: expected VERSION=PERCENT, got \"gray\"\n");
    }

    @Test
    void setAddListRemoveWorkOnAnyNamedSet() {
        CliRun add = graygate("set", "add", "shop", "testers", "203.0.113.7", "2001:db8::/32");
        assertThat(add.exitCode()).isZero();
        assertThat(add.out()).isEqualTo("shop: baseline production, split gray 10%, canary 2.5%, revision 2\n");
        assertThat(graygate("set", "list", "shop", "testers").out()).isEqualTo("10.1.0.0/16\n192.168.2.165\n203.0.113.7\n2001:db8::/32\n");
        assertThat(decide(HeldRequest.fromClient("203.0.113.7"))).isEqualTo("gray");
        graygate("set", "remove", "shop", "testers", "203.0.113.7");
        assertThat(decide(HeldRequest.fromClient("203.0.113.7"))).isNotEqualTo("gray").isIn("production", "canary");
        CliRun bad = graygate("set", "add", "shop", "testers", "1.2.3");
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.err()).isEqualTo("graygate: entries[0]: not an IP address or CIDR: \"1.2.3\"\n");
    }

    @Test
    void switchToAVersionPromoteRollbackToAndHistory() {
        assertThat(graygate("switch", "shop", "canary").out()).isEqualTo("shop: override canary, revision 2\n");
        assertThat(graygate("switch", "shop").err())
                .isEqualTo("graygate: version: is required: the route has several versions besides the baseline production: [gray, canary]\n");
        assertThat(graygate("promote", "shop", "gray").out()).isEqualTo("shop: baseline gray, split canary 2.5%, revision 3\n");
        assertThat(graygate("rollback", "shop", "--to", "1").out()).isEqualTo("shop: baseline production, split gray 10%, canary 2.5%, revision 4\n");
        CliRun history = graygate("history", "shop");
        String[] lines = history.out().split("\n");
        assertThat(lines[0]).matches("REV +AT +ACTOR +CHANGE");
        assertThat(lines[1]).matches("4 +\\S+Z +admin \\(\\S+@\\S+\\) +rollback to revision 1");
        assertThat(lines[2]).endsWith("promote gray to baseline (was production)");
        assertThat(lines[4]).matches("1 +\\S+ +config +seeded from the configuration");
        assertThat(lines).hasSize(5);
    }

    @Test
    void explainTakesHeadersCookiesQueryAndMethodAndShowsEveryRule() {
        CliRun r = graygate("explain", "shop", "--ip", "8.8.8.8", "--header", "X-Beta: off", "--cookie", "ab=b", "--method", "HEAD",
                "--query", "x=1", "--path", "/shop/cart");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).isEqualTo("""
                shop: 8.8.8.8 goes to canary (upstream v3)
                  because rule ab: (cookie ab equals "b" and method in GET|HEAD)
                     testers: client IP in set testers (2 entries); client IP 8.8.8.8 is in no entry
                     beta: header X-Beta equals "on"; header X-Beta is "off"
                  => ab: (cookie ab equals "b" and method in GET|HEAD); all hold -> canary
                """);
        CliRun split = graygate("explain", "shop", "--ip", "8.8.8.8", "--cookie", "uid=user-1", "--method", "POST");
        assertThat(split.out()).containsPattern("=> ramp: split by cookie uid in cohort shop: .*; key: cookie uid is \"user-1\"; bucket \\d+ -> \\w+\n");
    }

    @Test
    void explainTakesEachRepeatedOptionWithValuesThatNeedEncoding() {
        CliRun headers = graygate("explain", "shop", "--ip", "8.8.8.8", "--header", "X-Other: a&b=c", "--header", "X-Beta: on", "--method", "POST");
        assertThat(headers.exitCode()).isZero();
        assertThat(headers.out()).startsWith("shop: 8.8.8.8 goes to gray (upstream v2)\n  because rule beta: header X-Beta equals \"on\"\n");
        CliRun cookies = graygate("explain", "shop", "--ip", "8.8.8.8", "--cookie", "uid=a b", "--cookie", "ab=b", "--query", "q=1", "--query", "y=2");
        assertThat(cookies.exitCode()).isZero();
        assertThat(cookies.out()).startsWith("shop: 8.8.8.8 goes to canary (upstream v3)\n  because rule ab:");
        CliRun bad = graygate("explain", "shop", "--ip", "8.8.8.8", "--header", "X-Beta: on", "--header", "nocolon");
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.err()).contains("header: expected NAME:VALUE, got \"nocolon\"");
    }
}
