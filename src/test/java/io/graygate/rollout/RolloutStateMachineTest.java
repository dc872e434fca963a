package io.graygate.rollout;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.graygate.audit.AuditEntry;
import io.graygate.audit.AuditLog;
import io.graygate.config.ConfigLoader;
import io.graygate.config.GatewayConfig;
import io.graygate.policy.PolicyException;
import io.graygate.policy.PolicyRule;
import io.graygate.policy.Weights;
import io.graygate.rules.RuleBook;
import io.graygate.rules.RuleChange;
import io.graygate.stats.RouteStats;
import io.graygate.stats.StatsQuery;
import io.graygate.stats.VersionStats;
import io.graygate.store.RuleStores;
import io.graygate.testing.Polling;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The controller's state machine on one node with the file store, fed figures by hand: each test sets what the
 * statistics say for the new version and the baseline and watches the transitions, the recorded state and the
 * split in force. (The end-to-end tests send real traffic through the proxy and read the real statistics.)
 */
class RolloutStateMachineTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final AtomicReference<long[]> gray = new AtomicReference<>(new long[]{0, 0, 0}); // requests, errors, p99 ms
    private final AtomicReference<long[]> production = new AtomicReference<>(new long[]{1000, 0, 10});
    private final List<AuditEntry> audited = new CopyOnWriteArrayList<>();
    private RuleBook rules;
    private RolloutController controller;

    private final StatsQuery stats = (route, window, scope) -> new RouteStats(route, window, scope, 1,
            List.of(figures("production", production.get(), window), figures("gray", gray.get(), window)));

    private static VersionStats figures(String version, long[] f, Duration window) {
        double p99 = f[0] == 0 ? Double.NaN : f[2];
        return new VersionStats(version, f[0], f[1], f[0] / (double) window.toSeconds(), f[0] == 0 ? 0 : f[1] / (double) f[0], p99, p99, p99);
    }

    private final AuditLog audit = new AuditLog() {
        @Override
        public void record(AuditEntry entry) {
            audited.add(entry);
        }

        @Override
        public List<AuditEntry> read(String route, Instant since, int limit) {
            return List.copyOf(audited);
        }
    };

    private GatewayConfig config() {
        return ConfigLoader.parse("""
                store: file:%s
                upstreams:
                  production: { servers: ["127.0.0.1:1"] }
                  gray: { servers: ["127.0.0.1:2"] }
                routes:
                  - name: app
                    versions: {production: production, gray: gray}
                    rules:
                      - {name: ab, split: {by: {cookie: uid}, weights: {}}, when: {header: {name: X-Never, equals: "1"}}}
                """.formatted(dir.resolve("rules.json")), Map.of());
    }

    private void open() {
        GatewayConfig c = config();
        rules = new RuleBook(c, RuleStores.forConfig(c)).open();
        controller = new RolloutController(rules, RuleStores.rolloutRecords(c.store()), stats, audit, new Notifier(), "node-a").start();
    }

    @AfterEach
    void close() {
        if (controller != null) controller.close();
        if (rules != null) rules.close();
    }

    private static RolloutSpec spec(String yaml) throws Exception {
        return RolloutCodec.readSpec(YAML.readTree(yaml));
    }

    private RolloutState awaitState(String what, java.util.function.Predicate<RolloutState> p) {
        AtomicReference<RolloutState> seen = new AtomicReference<>();
        Polling.await(what, WAIT, () -> {
            RolloutState s = controller.status("app");
            seen.set(s);
            return s != null && p.test(s);
        });
        return seen.get();
    }

    private int grayWeightInForce() {
        PolicyRule r = rules.state("app").policy().rule("ramp");
        return r instanceof PolicyRule.Split s ? s.weights().of("gray") : -1;
    }

    @Test
    void aHealthyRolloutStepsThroughEveryWeightAndEndsWithTheSwitch() throws Exception {
        open();
        gray.set(new long[]{500, 0, 12});
        controller.start("app", spec("{version: gray, steps: [{weight: 5}, {weight: 25}, {weight: 100}], analysis: {interval: 1s, minRequests: 10}}"),
                "admin (test)");
        RolloutState done = awaitState("the rollout to succeed", s -> s.phase() == RolloutState.Phase.SUCCEEDED && s.settled());
        assertThat(rules.state("app").policy().override()).isEqualTo("gray");
        assertThat(grayWeightInForce()).isEqualTo(Weights.ALL);
        // the ramp was created after the route's rules, keyed like its first split
        PolicyRule.Split ramp = (PolicyRule.Split) rules.state("app").policy().rule("ramp");
        assertThat(ramp.by()).isEqualTo(new io.graygate.policy.SplitKey.Cookie("uid"));
        assertThat(done.events()).extracting(RolloutState.Event::reason).first().asString().startsWith("started: gray in 3 steps");
        assertThat(done.events()).extracting(e -> e.from() + ">" + e.to() + "@" + e.step()).containsExactly(
                "->progressing@0", "progressing>progressing@1", "progressing>progressing@2", "progressing>succeeded@2");
        assertThat(done.analyses()).allMatch(a -> a.verdict() == AnalysisResult.Verdict.PASS);
        // the policy history shows each weight once, written by the rollout
        List<String> changes = rules.state("app").history().stream().filter(h -> h.actor().equals("rollout")).map(h -> h.change()).toList();
        assertThat(changes).hasSize(4);
        assertThat(changes.get(0)).contains("split ramp gray 5%");
        assertThat(changes.get(1)).contains("split ramp gray 25%");
        assertThat(changes.get(2)).contains("split ramp gray 100%");
        assertThat(changes.get(3)).contains("switch: everyone to gray");
        assertThat(audited).extracting(AuditEntry::change).anyMatch(c -> c.contains("analysis at step 1") && c.contains("thresholds: minRequests 10"));
        assertThat(audited).extracting(AuditEntry::actor).contains("admin (test)", "rollout");
    }

    @Test
    void failingIntervalsAbortAfterTheFailureLimitAndPutTheWeightToZero() throws Exception {
        open();
        gray.set(new long[]{500, 0, 12});
        controller.start("app", spec("{version: gray, steps: [{weight: 5, pause: 1s}, {weight: 25, pause: 1h}, {weight: 100}],"
                + " analysis: {interval: 1s, minRequests: 10, maxErrorRate: 1%, failureLimit: 2}}"), "admin (test)");
        awaitState("step 2", s -> s.step() == 1 && s.settled());
        gray.set(new long[]{500, 50, 12}); // 10% errors
        RolloutState aborted = awaitState("the abort", s -> s.phase() == RolloutState.Phase.ABORTED && s.settled());
        assertThat(grayWeightInForce()).isZero();
        assertThat(aborted.reason()).startsWith("aborted after 2 failed intervals in a row: fail: error rate 10% over maxErrorRate 1%");
        List<AnalysisResult> fails = aborted.analyses().stream().filter(a -> a.verdict() == AnalysisResult.Verdict.FAIL).toList();
        assertThat(fails).hasSize(2);
        assertThat(fails).allMatch(a -> a.step() == 1 && a.errors() == 50 && a.maxErrorRate() == 100);
    }

    @Test
    void stepBackOnAbortHoldsThePreviousStepsWeight() throws Exception {
        open();
        gray.set(new long[]{500, 0, 12});
        controller.start("app", spec("{version: gray, steps: [{weight: 5, pause: 1s}, {weight: 25, pause: 1h}], onAbort: stepBack,"
                + " analysis: {interval: 1s, minRequests: 10, maxP99: 100ms, failureLimit: 1}}"), "admin (test)");
        awaitState("step 2", s -> s.step() == 1 && s.settled());
        gray.set(new long[]{500, 0, 300});
        awaitState("the abort", s -> s.phase() == RolloutState.Phase.ABORTED && s.settled());
        assertThat(grayWeightInForce()).isEqualTo(500);
    }

    @Test
    void noTrafficPausesAsInconclusiveAndTrafficResumesIt() throws Exception {
        open();
        controller.start("app", spec("{version: gray, steps: [{weight: 5, pause: 2s}, {weight: 100}], analysis: {interval: 1s, minRequests: 10}}"),
                "admin (test)");
        RolloutState waiting = awaitState("inconclusive", s -> s.phase() == RolloutState.Phase.PAUSED && s.waitingForTraffic());
        assertThat(waiting.reason()).isEqualTo("inconclusive: 0 requests to gray in 1s, fewer than minRequests 10");
        assertThat(waiting.step()).isZero();
        gray.set(new long[]{100, 0, 5});
        RolloutState done = awaitState("success", s -> s.phase() == RolloutState.Phase.SUCCEEDED);
        assertThat(done.events()).extracting(RolloutState.Event::reason).anyMatch(r -> r.startsWith("resumed, traffic returned"));
    }

    @Test
    void aChangeByHandToTheDrivenSplitPausesTheRolloutAndSaysWho() throws Exception {
        open();
        gray.set(new long[]{500, 0, 12});
        controller.start("app", spec("{version: gray, steps: [{weight: 5, pause: 1h}, {weight: 100}], analysis: {interval: 1s, minRequests: 10}}"),
                "admin (test)");
        awaitState("step 1 in force", RolloutState::settled);
        rules.apply("app", RuleChange.setSplit("ramp", Weights.NONE.with("gray", 3000)), "admin (alice@laptop)");
        RolloutState paused = awaitState("the pause", s -> s.phase() == RolloutState.Phase.PAUSED);
        assertThat(paused.reason()).contains("changed by someone else").contains("split ramp: gray 5% -> 30% by admin (alice@laptop) at revision 3")
                .contains("resume to put the rollout's 5% back");
        assertThat(grayWeightInForce()).isEqualTo(3000); // not fought over
        controller.resume("app", "admin (bob)");
        Polling.await("the rollout's weight back", WAIT, () -> grayWeightInForce() == 500);
    }

    @Test
    void aSecondStartIsRefusedWhileOneRunsAndPromoteAndAbortEndIt() throws Exception {
        open();
        RolloutSpec slow = spec("{version: gray, steps: [{weight: 5, pause: 1h}, {weight: 50, pause: 1h}], analysis: {interval: 1s}}");
        controller.start("app", slow, "admin (test)");
        assertThatThrownBy(() -> controller.start("app", slow, "admin (test)")).isInstanceOf(RolloutException.class)
                .hasMessageContaining("already has a rollout of gray");
        controller.promote("app", "admin (test)");
        awaitState("promoted", s -> s.phase() == RolloutState.Phase.SUCCEEDED && s.settled());
        assertThat(rules.state("app").policy().override()).isEqualTo("gray");
        assertThatThrownBy(() -> controller.abort("app", "admin (test)")).isInstanceOf(RolloutException.class).hasMessageContaining("it is succeeded");
        rules.apply("app", RuleChange.switchTo("production"), "admin (test)");
        controller.start("app", slow, "admin (test)");
        awaitState("step 1 in force", s -> s.settled() && s.phase() == RolloutState.Phase.PROGRESSING);
        assertThat(rules.state("app").policy().override()).isNull();
        controller.abort("app", "admin (test)");
        awaitState("aborted", s -> s.phase() == RolloutState.Phase.ABORTED && s.settled());
        assertThat(grayWeightInForce()).isZero();
    }

    @Test
    void aStartThatCannotBePutInForceIsRefusedNamingTheField() throws Exception {
        open();
        assertThatThrownBy(() -> controller.start("app", spec("{version: blue, steps: [{weight: 5}]}"), "t"))
                .isInstanceOf(PolicyException.class).hasMessageStartingWith("version: no version named \"blue\"");
        assertThatThrownBy(() -> controller.start("app", spec("{version: production, steps: [{weight: 5}]}"), "t"))
                .isInstanceOf(PolicyException.class).hasMessageStartingWith("version: \"production\" is the route's baseline");
        assertThat(controller.status("app")).isNull();
    }

    @Test
    void aRestartContinuesFromTheRecordedStep() throws Exception {
        open();
        gray.set(new long[]{500, 0, 12});
        controller.start("app", spec("{version: gray, steps: [{weight: 5, pause: 1s}, {weight: 25, pause: 3s}, {weight: 100}],"
                + " analysis: {interval: 1s, minRequests: 10}}"), "admin (test)");
        awaitState("step 2", s -> s.step() == 1 && s.settled());
        controller.close();
        rules.close();
        open();
        RolloutState done = awaitState("success after the restart", s -> s.phase() == RolloutState.Phase.SUCCEEDED && s.settled());
        assertThat(done.events().stream().filter(e -> e.reason().startsWith("step 2 of 3")).count()).isEqualTo(1);
        assertThat(done.events().stream().filter(e -> e.reason().startsWith("step 3 of 3")).count()).isEqualTo(1);
    }
}
