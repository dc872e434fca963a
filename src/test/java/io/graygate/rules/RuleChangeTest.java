package io.graygate.rules;

import io.graygate.routing.IpEntry;
import io.graygate.routing.IpSet;
import io.graygate.routing.Mode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RuleChangeTest {

    private final RouteRules start = RouteRules.initial(Mode.GRAY, IpSet.parse(List.of("10.9.9.9")));

    @Test
    void switchMovesEveryoneToGrayAndRollbackReturnsToTheModeBefore() {
        RouteRules switched = RuleChange.switchToGray().applyTo(start);
        assertThat(switched.mode()).isEqualTo(Mode.ALL_GRAY);
        assertThat(switched.previousMode()).isEqualTo(Mode.GRAY);
        RouteRules back = RuleChange.rollback().applyTo(switched);
        assertThat(back.mode()).isEqualTo(Mode.GRAY);
        assertThat(back.whitelist().size()).isEqualTo(1);
    }

    @Test
    void rollbackFromAllGrayReachedFromAllProductionGoesBackToAllProduction() {
        RouteRules prod = RuleChange.setMode(Mode.ALL_PRODUCTION).applyTo(start);
        RouteRules back = RuleChange.rollback().applyTo(RuleChange.switchToGray().applyTo(prod));
        assertThat(back.mode()).isEqualTo(Mode.ALL_PRODUCTION);
    }

    @Test
    void rollbackWithNothingToReturnToSendsNobodyToTheNewVersion() {
        assertThat(RuleChange.rollback().applyTo(start).mode()).isEqualTo(Mode.ALL_PRODUCTION);
    }

    @Test
    void switchingTwiceStillRollsBackToTheModeBeforeTheFirstSwitch() {
        RouteRules twice = RuleChange.switchToGray().applyTo(RuleChange.switchToGray().applyTo(start));
        assertThat(twice.previousMode()).isEqualTo(Mode.GRAY);
        assertThat(RuleChange.rollback().applyTo(twice).mode()).isEqualTo(Mode.GRAY);
    }

    @Test
    void everyChangeBumpsTheVersionByOne() {
        RouteRules a = RuleChange.addToWhitelist(List.of(IpEntry.parse("1.2.3.4"))).applyTo(start);
        RouteRules b = RuleChange.removeFromWhitelist(List.of(IpEntry.parse("1.2.3.4"))).applyTo(a);
        RouteRules c = RuleChange.setMode(Mode.GRAY).applyTo(b);
        assertThat(List.of(start.version(), a.version(), b.version(), c.version())).containsExactly(1L, 2L, 3L, 4L);
        assertThat(a.whitelist().size()).isEqualTo(2);
        assertThat(b.whitelist().size()).isEqualTo(1);
    }
}
