package io.graygate.config;

import io.graygate.policy.Condition;
import io.graygate.policy.Mode;
import io.graygate.policy.PolicyRule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Routes with versions, IP sets and rules in the YAML, and the first release's shorthand read into the same model. */
class RoutePolicyConfigTest {

    private static final String UPSTREAMS = """
            upstreams:
              v1: {servers: ["127.0.0.1:1"]}
              v2: {servers: ["127.0.0.1:2"]}
              v3: {servers: ["127.0.0.1:3"]}
            """;

    private static GatewayConfig parse(String routes) {
        return ConfigLoader.parse(UPSTREAMS + "routes:\n" + routes.indent(2), Map.of());
    }

    private static GatewayConfig parseOnRedis(String routes) {
        return ConfigLoader.parse("store: redis://127.0.0.1:6379\n" + UPSTREAMS + "routes:\n" + routes.indent(2), Map.of());
    }

    @Test
    void theIssuesExampleRouteReads() {
        RouteConfig r = parse("""
                - name: order-center
                  pathPrefix: /order_center
                  versions: { production: v1, gray: v2, canary: v3 }
                  baseline: production
                  ipSets: { testers: ["192.168.2.165", "10.1.0.0/16"] }
                  rules:
                    - { name: testers, when: { clientIp: { inSet: testers } }, to: gray }
                    - { name: beta, when: { header: { name: X-Beta, equals: "on" } }, to: gray }
                    - { name: ab, when: { all: [ { cookie: { name: ab, equals: b } }, { method: [GET, HEAD] } ] }, to: canary }
                    - { name: ramp, split: { by: { cookie: uid }, weights: { gray: 10, canary: 2.5 } } }
                """).route("order-center");
        assertThat(r.versionNames()).containsExactly("production", "gray", "canary");
        assertThat(r.upstreamOf("canary")).isEqualTo("v3");
        assertThat(r.policy().baseline()).isEqualTo("production");
        assertThat(r.policy().rules()).extracting(PolicyRule::name).containsExactly("testers", "beta", "ab", "ramp");
        assertThat(r.ipSets()).containsEntry("testers", List.of("192.168.2.165", "10.1.0.0/16"));
    }

    @Test
    void theShorthandMeansTwoVersionsTheSetWhitelistAndItsRuleFirst() {
        RouteConfig r = parseOnRedis("""
                - {name: web, stable: v1, gray: v2, whitelist: ["10.0.0.1"], mode: all-gray, whitelistKey: gray,
                   rules: [{name: beta, when: {header: {name: X-Beta, present: true}}, to: gray}]}
                """).route("web");
        assertThat(r.versions()).containsOnlyKeys("production", "gray");
        assertThat(r.upstreamOf("production")).isEqualTo("v1");
        assertThat(r.policy().baseline()).isEqualTo("production");
        assertThat(r.policy().override()).isEqualTo("gray");
        assertThat(r.policy().mode()).isEqualTo(Mode.ALL_GRAY);
        assertThat(r.policy().rules()).containsExactly(
                new PolicyRule.Match("whitelist", new Condition.ClientIpInSet("whitelist"), "gray"),
                new PolicyRule.Match("whitelistKey", new Condition.ClientIpInSet("whitelistKey"), "gray"),
                r.policy().rule("beta"));
        assertThat(r.ipSets()).containsEntry("whitelist", List.of("10.0.0.1"));
        assertThat(r.keyedSets()).containsEntry("whitelistKey", "gray");
    }

    @Test
    void theShorthandWithoutAWhitelistStillHasTheSetTodaysWhitelistCallsChange() {
        RouteConfig r = parse("- {name: web, stable: v1, gray: v2}").route("web");
        assertThat(r.ipSets()).containsEntry("whitelist", List.of());
        assertThat(r.policy().rules()).extracting(PolicyRule::name).containsExactly("whitelist");
    }

    @Test
    void theBaselineIsTheFirstVersionUnlessNamedAndModeAllProductionIsAnOverrideToIt() {
        RouteConfig r = parse("- {name: web, versions: {blue: v1, green: v2}, mode: all-production}").route("web");
        assertThat(r.policy().baseline()).isEqualTo("blue");
        assertThat(r.policy().override()).isEqualTo("blue");
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "- {name: w, versions: {production: v1, gray: v2, canary: v3}, rules: [{name: a, when: {method: GET}, to: gray}, {name: b, when: {method: PUT}, to: gray}, {name: ramp, split: {weights: {canary: 60}}}]} | `routes[0].rules[2].split.weights.canary: 60 exceeds the slot of 50 (each of the route's 2 versions besides the baseline has an equal, fixed share of the buckets)`",
            "- {name: w, versions: {production: v1, gray: nope}}                                  | `routes[0].versions.gray: no upstream named \"nope\"`",
            "- {name: w, stable: nope, gray: v2}                                                  | `routes[0].stable: no upstream named \"nope\"`",
            "- {name: w, versions: {production: v1}, stable: v1, gray: v2}                        | `routes[0].stable: is shorthand for versions; give versions, or stable and gray, not both`",
            "- {name: w, versions: {}}                                                            | `routes[0].versions: is empty; name at least one version and its upstream group`",
            "- {name: w, pathPrefix: /x}                                                          | `routes[0].versions: is required (e.g. {production: v1, gray: v2}), or the shorthand stable and gray`",
            "- {name: w, gray: v2}                                                                | `routes[0].stable: is required (the production upstream group)`",
            "- {name: w, versions: {production: v1, gray: v2}, baseline: blue}                    | `routes[0].baseline: no version named \"blue\"; the route's versions: [production, gray]`",
            "- {name: w, versions: {production: v1, canary: v3}, whitelist: [\"10.0.0.1\"]}      | `routes[0].whitelist: sends clients to the version \"gray\", which this route does not have; versions: [production, canary]`",
            "- {name: w, versions: {production: v1, gray: v2}, ipSets: {testers: [\"10.0.0.300\"]}} | `routes[0].ipSets.testers[0]: not an IP address or CIDR: \"10.0.0.300\"`",
            "- {name: w, versions: {production: v1, gray: v2}, ipSets: {beta_testers-1: [\"10.0.0.300\"]}} | `routes[0].ipSets.beta_testers-1[0]: not an IP address or CIDR: \"10.0.0.300\"`",
            "- {name: w, versions: {production: v1, blue-green_2: v2}, baseline: nope}            | `routes[0].baseline: no version named \"nope\"; the route's versions: [production, blue-green_2]`",
            "- {name: w, versions: {production: v1, gray: v2}, rules: [{name: a, when: {clientIp: {inSet: testers}}, to: gray}]} | `routes[0].rules[0].when.clientIp.inSet: no IP set named \"testers\" (the route has none)`",
            "- {name: w, versions: {production: v1, gray: v2}, rules: [{name: a, when: {header: {name: X-A, sounds: like}}, to: gray}]} | `routes[0].rules[0].when.header.sounds: unknown key; known keys here: [name, equals, in, prefix, present, absent, matches]`",
            "- {name: w, versions: {production: v1, gray: v2}, ipSets: {k: {redisKey: gray}}}     | `routes[0].ipSets.k: reads a Redis key, so it needs a Redis store (store: redis://...), not file:./graygate-rules.json`",
    })
    void aBadRouteIsRefusedWithThePathOfTheBadValue(String yaml, String message) {
        assertThatThrownBy(() -> parse(yaml)).isInstanceOf(ConfigException.class).hasMessage(message);
    }
}
