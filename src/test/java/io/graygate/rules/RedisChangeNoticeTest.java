package io.graygate.rules;

import io.graygate.routing.IpEntry;
import io.graygate.routing.Mode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The change notices published after every write: small changes travel whole, anything else says "reload". */
class RedisChangeNoticeTest {

    private static final RouteRules V4 = new RouteRules(Mode.GRAY, null, io.graygate.routing.IpSet.parse(List.of("10.0.0.1")), 4);

    @Test
    void aSmallChangeTravelsWholeAndAppliesToTheRulesOneVersionBefore() {
        RuleChange add = RuleChange.addToWhitelist(List.of(IpEntry.parse("10.1.0.0/16"), IpEntry.parse("2001:db8::1")));
        String message = RedisChangeNotice.encode("web", 5, add);

        assertThat(message).isEqualTo("web 5 add 10.1.0.0/16 2001:db8::1");
        RedisChangeNotice notice = RedisChangeNotice.decode(message).orElseThrow();
        assertThat(notice.route()).isEqualTo("web");
        assertThat(notice.version()).isEqualTo(5);
        RouteRules after = notice.delta().orElseThrow().applyTo(V4);
        assertThat(after.version()).isEqualTo(5);
        assertThat(after.whitelist().toStrings()).containsExactlyInAnyOrder("10.0.0.1", "10.1.0.0/16", "2001:db8::1");
    }

    @Test
    void modeRollbackAndRemovalRoundTrip() {
        for (RuleChange change : List.of(RuleChange.setMode(Mode.ALL_PRODUCTION), RuleChange.rollback(),
                RuleChange.removeFromWhitelist(List.of(IpEntry.parse("10.0.0.1"))))) {
            RedisChangeNotice notice = RedisChangeNotice.decode(RedisChangeNotice.encode("web", 5, change)).orElseThrow();
            assertThat(notice.delta()).contains(change);
        }
    }

    @Test
    void aLargeChangeIsAnnouncedAsAReload() {
        List<IpEntry> many = new ArrayList<>();
        for (int i = 0; i <= RedisChangeNotice.MAX_DELTA_ENTRIES; i++) many.add(IpEntry.parse("10.2." + (i >> 8) + "." + (i & 255)));

        String message = RedisChangeNotice.encode("web", 9, RuleChange.addToWhitelist(many));

        assertThat(message).isEqualTo("web 9 reload");
        assertThat(RedisChangeNotice.decode(message).orElseThrow().delta()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "web", "web x add 10.0.0.1", "web 5"})
    void aMalformedNoticeIsIgnored(String message) {
        assertThat(RedisChangeNotice.decode(message)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"web 5 add not-an-ip", "web 5 mode sideways", "web 5 mode", "web 5 something-newer 1 2"})
    void aNoticeWithAnUnreadableChangeMakesTheNodeReadTheRoute(String message) {
        RedisChangeNotice notice = RedisChangeNotice.decode(message).orElseThrow();
        assertThat(notice.version()).isEqualTo(5);
        assertThat(notice.delta()).isEmpty();
    }
}
