package io.graygate.store.redis;

import io.graygate.rules.RuleBook;
import io.graygate.rules.RuleChange;
import io.graygate.store.RuleStores;
import io.graygate.policy.Mode;
import io.graygate.policy.PolicyScope;
import io.graygate.routing.ip.IpEntry;
import io.graygate.routing.ip.IpSet;
import io.graygate.rules.RuleChange;
import io.graygate.store.Delta;
import io.graygate.store.RouteState;
import io.graygate.testing.States;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The change notices published after every write: small deltas travel whole, anything else says "read the route". */
class RedisChangeNoticeTest {

    private static final RouteState R1 = States.legacy(IpSet.parse(List.of("10.0.0.1")));
    private static final PolicyScope SCOPE = new PolicyScope(List.of("production", "gray"), Set.of("whitelist"));

    private static Delta plan(RuleChange c) {
        return c.plan("web", R1, SCOPE, new RuleChange.Meta("test", Instant.parse("2026-12-03T10:00:00Z")));
    }

    @Test
    void aSmallChangeTravelsWholeAndAppliesToTheStateOneRevisionBefore() {
        Delta add = plan(RuleChange.addToSet("whitelist", List.of(IpEntry.parse("10.1.0.0/16"), IpEntry.parse("2001:db8::1"))));
        RedisChangeNotice notice = RedisChangeNotice.decode(RedisChangeNotice.encode("web", add)).orElseThrow();
        assertThat(notice.route()).isEqualTo("web");
        assertThat(notice.revision()).isEqualTo(2);
        RouteState after = notice.delta().orElseThrow().applyTo(R1);
        RouteState expected = add.applyTo(R1);
        assertThat(after.revision()).isEqualTo(expected.revision());
        assertThat(after.policy()).isEqualTo(expected.policy());
        assertThat(after.history()).isEqualTo(expected.history());
        assertThat(after.ipSets().get("whitelist").toStrings()).containsExactlyInAnyOrder("10.0.0.1", "10.1.0.0/16", "2001:db8::1");
    }

    @Test
    void everyKindOfChangeRoundTrips() {
        for (RuleChange change : List.of(RuleChange.setMode(Mode.ALL_PRODUCTION), RuleChange.rollback(null), RuleChange.switchTo("gray"),
                RuleChange.promote("gray"), RuleChange.removeFromSet("whitelist", List.of(IpEntry.parse("10.0.0.1"))))) {
            Delta d = plan(change);
            RedisChangeNotice notice = RedisChangeNotice.decode(RedisChangeNotice.encode("web", d)).orElseThrow();
            assertThat(notice.delta()).contains(d);
        }
    }

    @Test
    void aLargeChangeIsAnnouncedWithoutItsDelta() {
        List<IpEntry> many = new ArrayList<>();
        for (int i = 0; i <= RedisChangeNotice.MAX_DELTA_ENTRIES; i++) many.add(IpEntry.parse("10.2." + (i >> 8) + "." + (i & 255)));
        String message = RedisChangeNotice.encode("web", plan(RuleChange.addToSet("whitelist", many)));
        assertThat(message).isEqualTo("{\"route\":\"web\",\"revision\":2}");
        assertThat(RedisChangeNotice.decode(message).orElseThrow().delta()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "web", "web 5 add 10.0.0.1", "{\"route\":\"web\"}", "{\"revision\":5}", "[1,2]"})
    void aMalformedNoticeIsIgnored(String message) {
        assertThat(RedisChangeNotice.decode(message)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"route\":\"web\",\"revision\":5,\"delta\":{\"from\":4}}",
            "{\"route\":\"web\",\"revision\":5,\"delta\":{\"from\":4,\"added\":{\"whitelist\":[\"not-an-ip\"]},\"removed\":{},\"entry\":{}}}",
            "{\"route\":\"web\",\"revision\":5,\"delta\":\"something newer\"}"})
    void aNoticeWithAnUnreadableDeltaMakesTheNodeReadTheRoute(String message) {
        RedisChangeNotice notice = RedisChangeNotice.decode(message).orElseThrow();
        assertThat(notice.revision()).isEqualTo(5);
        assertThat(notice.delta()).isEmpty();
    }
}
