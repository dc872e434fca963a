package io.graygate.rules;

import io.graygate.config.RouteConfig;
import io.graygate.policy.Condition;
import io.graygate.policy.Mode;
import io.graygate.policy.Policy;
import io.graygate.policy.PolicyException;
import io.graygate.policy.PolicyRule;
import io.graygate.policy.PolicyScope;
import io.graygate.policy.SplitKey;
import io.graygate.policy.Weights;
import io.graygate.routing.ip.IpEntry;
import io.graygate.routing.ip.IpSet;
import io.graygate.store.Delta;
import io.graygate.store.HistoryEntry;
import io.graygate.store.KeySet;
import io.graygate.store.RouteState;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every kind of change, planned on a route's state: what it changes, what it refuses, and how rollback walks back. */
class RuleChangeTest {

    private static final RuleChange.Meta META = new RuleChange.Meta("tester", Instant.parse("2026-12-03T10:00:00Z"));
    private static final PolicyScope TWO = new PolicyScope(List.of("production", "gray"), Set.of("whitelist"));
    private static final PolicyScope THREE = new PolicyScope(List.of("production", "gray", "canary"), Set.of("whitelist"));

    private final RouteState start = RuleBook.seed(RouteConfig.shorthand("web", "/", null, null, "p", "g", Mode.GRAY, List.of("10.9.9.9"), null));

    private static RouteState apply(RouteState s, RuleChange c, PolicyScope scope) {
        Delta d = c.plan("web", s, scope, META);
        return d.applyTo(s);
    }

    private static RouteState apply(RouteState s, RuleChange c) {
        return apply(s, c, TWO);
    }

    private static Weights weights(String v1, int bp1, String v2, int bp2) {
        Map<String, Integer> m = new java.util.LinkedHashMap<>();
        m.put(v1, bp1);
        m.put(v2, bp2);
        return new Weights(m);
    }

    @Test
    void switchSendsEveryoneToTheOnlyOtherVersionAndRollbackRestoresThePolicyBefore() {
        RouteState switched = apply(start, RuleChange.switchTo(null));
        assertThat(switched.policy().override()).isEqualTo("gray");
        assertThat(switched.policy().mode()).isEqualTo(Mode.ALL_GRAY);
        RouteState back = apply(switched, RuleChange.rollback(null));
        assertThat(back.policy()).isEqualTo(start.policy());
        assertThat(back.ipSets().get("whitelist").size()).isEqualTo(1);
    }

    @Test
    void rollbackSkipsChangesThatLeftThePolicyAsItWas() {
        RouteState switched = apply(start, RuleChange.switchTo(null));
        RouteState added = apply(switched, RuleChange.addToSet("whitelist", List.of(IpEntry.parse("1.2.3.4"))));
        RouteState back = apply(added, RuleChange.rollback(null));
        assertThat(back.policy().override()).isNull();
        assertThat(back.ipSets().get("whitelist").size()).as("IP sets are not rolled back").isEqualTo(2);
    }

    @Test
    void aRollbackOfARollbackGoesFurtherBackAndEndsOnTheBaseline() {
        RouteState prod = apply(start, RuleChange.setMode(Mode.ALL_PRODUCTION));
        RouteState gray = apply(prod, RuleChange.switchTo(null));
        RouteState back1 = apply(gray, RuleChange.rollback(null));
        assertThat(back1.policy().mode()).isEqualTo(Mode.ALL_PRODUCTION);
        RouteState back2 = apply(back1, RuleChange.rollback(null));
        assertThat(back2.policy().mode()).isEqualTo(Mode.GRAY);
        RouteState back3 = apply(back2, RuleChange.rollback(null));
        assertThat(back3.policy().mode()).as("nothing earlier: everyone to the baseline").isEqualTo(Mode.ALL_PRODUCTION);
        RouteState back4 = apply(back3, RuleChange.rollback(null));
        assertThat(back4.policy().mode()).as("a rollback never sends anyone to a new version").isEqualTo(Mode.ALL_PRODUCTION);
    }

    @Test
    void rollbackWithNothingToReturnToSendsNobodyToTheNewVersion() {
        assertThat(apply(start, RuleChange.rollback(null)).policy().mode()).isEqualTo(Mode.ALL_PRODUCTION);
    }

    @Test
    void rollbackToAKeptRevisionRestoresItsPolicy() {
        RouteState r2 = apply(start, RuleChange.switchTo(null));
        RouteState r3 = apply(r2, RuleChange.setMode(Mode.ALL_PRODUCTION));
        RouteState r4 = apply(r3, RuleChange.rollback(2L));
        assertThat(r4.policy().override()).isEqualTo("gray");
        assertThat(r4.entry(4).restored()).isEqualTo(2L);
        assertThat(r4.entry(4).change()).isEqualTo("rollback to revision 2");
    }

    @Test
    void rollbackToARevisionNoLongerKeptIsRefusedNamingWhatIsKept() {
        RouteState s = start;
        for (int i = 0; i < RouteState.HISTORY_KEPT + 5; i++) s = apply(s, RuleChange.setMode(i % 2 == 0 ? Mode.ALL_GRAY : Mode.GRAY));
        assertThat(s.history()).hasSize(RouteState.HISTORY_KEPT);
        RouteState last = s;
        assertThatThrownBy(() -> apply(last, RuleChange.rollback(1L)))
                .isInstanceOf(PolicyException.class).hasMessage("to: revision 1 is not kept (kept: 7 to 106)");
    }

    @Test
    void switchNeedsAVersionWhenTheRouteHasSeveralBesidesTheBaseline() {
        assertThatThrownBy(() -> apply(start, RuleChange.switchTo(null), THREE)).isInstanceOf(PolicyException.class)
                .hasMessage("version: is required: the route has several versions besides the baseline production: [gray, canary]");
        assertThat(apply(start, RuleChange.switchTo("canary"), THREE).policy().override()).isEqualTo("canary");
        assertThatThrownBy(() -> apply(start, RuleChange.switchTo("blue"), THREE)).isInstanceOf(PolicyException.class)
                .hasMessage("version: no version named \"blue\"; the route's versions: [production, gray, canary]");
    }

    @Test
    void promoteMakesAVersionTheBaselineAndDropsWhatSentRequestsToIt() {
        Policy p = new Policy("production", "gray", List.of(
                new PolicyRule.Match("testers", new Condition.ClientIpInSet("whitelist"), "gray"),
                new PolicyRule.Match("beta", new Condition.Header("X-Beta", new io.graygate.policy.ValueTest.Present()), "canary"),
                new PolicyRule.Split("ramp", null, SplitKey.CLIENT_IP, new Weights(Map.of("gray", 1000)), null)));
        RouteState s = apply(start, RuleChange.setPolicy(p, null), THREE);
        RouteState promoted = apply(s, RuleChange.promote("gray"), THREE);
        assertThat(promoted.policy().baseline()).isEqualTo("gray");
        assertThat(promoted.policy().override()).isNull();
        assertThat(promoted.policy().rules()).extracting(PolicyRule::name).containsExactly("beta");
        assertThat(promoted.entry(promoted.revision()).change()).isEqualTo("promote gray to baseline (was production)");
    }

    @Test
    void blueGreenAlternatesWithNoConfigurationEdit() {
        // The seeds' blue-green: blue serves, green is switched to and promoted; the next release goes to blue.
        PolicyScope blueGreen = new PolicyScope(List.of("blue", "green"), Set.of("whitelist"));
        RouteState s = apply(start, RuleChange.setPolicy(new Policy("blue", null, List.of()), null), blueGreen);
        String[] serving = {"blue", "green", "blue", "green"};
        for (int release = 1; release < serving.length; release++) {
            String next = serving[release];
            s = apply(s, RuleChange.switchTo(null), blueGreen); // the only version besides the baseline
            assertThat(s.policy().override()).isEqualTo(next);
            s = apply(s, RuleChange.promote(next), blueGreen);
            assertThat(s.policy().baseline()).as("release %d", release).isEqualTo(next);
            assertThat(s.policy().override()).isNull();
            // a ramp for the release after: the split may now weigh the version that was the baseline
            String idle = serving[release - 1];
            s = apply(s, RuleChange.setPolicy(new Policy(next, null, List.of(new PolicyRule.Split("ramp", null, SplitKey.CLIENT_IP,
                    new Weights(Map.of(idle, 10_000)), null))), null), blueGreen);
            s = apply(s, RuleChange.setSplit("ramp", new Weights(Map.of(idle, 2500))), blueGreen);
            assertThat(((PolicyRule.Split) s.policy().rules().get(0)).weights().basisPoints()).containsEntry(idle, 2500);
            s = apply(s, RuleChange.setPolicy(new Policy(next, null, List.of()), null), blueGreen);
        }
    }

    @Test
    void setSplitChangesOneRulesWeightsAndRefusesASlotOverflowNamingTheWeight() {
        Policy p = new Policy("production", null, List.of(
                new PolicyRule.Split("ramp", null, SplitKey.CLIENT_IP, new Weights(Map.of("gray", 1000)), null)));
        RouteState s = apply(start, RuleChange.setPolicy(p, null), THREE);
        RouteState ramped = apply(s, RuleChange.setSplit("ramp", weights("gray", 2500, "canary", 250)), THREE);
        PolicyRule.Split split = (PolicyRule.Split) ramped.policy().rule("ramp");
        assertThat(split.weights().basisPoints()).containsExactly(Map.entry("gray", 2500), Map.entry("canary", 250));
        assertThatThrownBy(() -> apply(s, RuleChange.setSplit("ramp", new Weights(Map.of("canary", 6000))), THREE))
                .isInstanceOf(PolicyException.class).hasMessageStartingWith("weights.canary: 60 exceeds the slot of 50");
        assertThatThrownBy(() -> apply(s, RuleChange.setSplit("nope", new Weights(Map.of()))))
                .isInstanceOf(PolicyException.class).hasMessage("rule: no rule named \"nope\"; the route's rules: [ramp]");
    }

    @Test
    void aPolicyMadeAgainstAnotherRevisionIsAConflict() {
        RouteState r2 = apply(start, RuleChange.switchTo(null));
        assertThatThrownBy(() -> apply(r2, RuleChange.setPolicy(start.policy(), 1L)))
                .isInstanceOf(RevisionConflictException.class).hasMessageContaining("revision 2, not 1");
        assertThat(apply(r2, RuleChange.setPolicy(start.policy(), 2L)).revision()).isEqualTo(3);
    }

    @Test
    void aPolicyThatNamesWhatTheRouteLacksIsRefusedWhole() {
        Policy bad = new Policy("production", null, List.of(new PolicyRule.Match("x", new Condition.ClientIpInSet("testers"), "gray")));
        assertThatThrownBy(() -> apply(start, RuleChange.setPolicy(bad, null))).isInstanceOf(PolicyException.class)
                .hasMessage("rules[0].when.clientIp.inSet: no IP set named \"testers\"; the route's sets: [whitelist]");
    }

    @Test
    void setChangesAddRemoveAndCreateSetsButNeverTouchASetReadFromARedisKey() {
        RouteState created = apply(start, RuleChange.addToSet("testers", List.of(IpEntry.parse("10.0.0.0/8"))));
        assertThat(created.ipSets().get("testers").toStrings()).containsExactly("10.0.0.0/8");
        RouteState removed = apply(created, RuleChange.removeFromSet("whitelist", List.of(IpEntry.parse("10.9.9.9"))));
        assertThat(removed.ipSets().get("whitelist").isEmpty()).isTrue();
        assertThatThrownBy(() -> apply(start, RuleChange.removeFromSet("nope", List.of(IpEntry.parse("1.1.1.1")))))
                .isInstanceOf(PolicyException.class).hasMessage("set: no IP set named \"nope\"; the route's sets: [whitelist]");
        RouteState keyed = start.withKeySet("whitelistKey", new KeySet("gray", IpSet.EMPTY, 1));
        assertThatThrownBy(() -> apply(keyed, RuleChange.addToSet("whitelistKey", List.of(IpEntry.parse("1.1.1.1")))))
                .isInstanceOf(PolicyException.class).hasMessageContaining("is read from the Redis key gray");
    }

    @Test
    void everyChangeMakesOneRevisionWithItsHistoryEntry() {
        RouteState a = apply(start, RuleChange.addToSet("whitelist", List.of(IpEntry.parse("1.2.3.4"))));
        RouteState b = apply(a, RuleChange.removeFromSet("whitelist", List.of(IpEntry.parse("1.2.3.4"))));
        RouteState c = apply(b, RuleChange.setMode(Mode.GRAY));
        assertThat(List.of(start.revision(), a.revision(), b.revision(), c.revision())).containsExactly(1L, 2L, 3L, 4L);
        assertThat(c.history()).extracting(HistoryEntry::change).containsExactly("seeded from the configuration",
                "whitelist add 1.2.3.4 (1 entry)", "whitelist remove 1.2.3.4 (1 entry)", "mode gray");
        assertThat(c.history().get(3).actor()).isEqualTo("tester");
        assertThat(c.history().get(3).at()).isEqualTo(META.at());
    }
}
