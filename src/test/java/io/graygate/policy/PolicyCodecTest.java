package io.graygate.policy;

import com.fasterxml.jackson.databind.JsonNode;
import io.graygate.store.StateCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The one JSON form of a policy: read strictly, every error naming its path, written back to the same document. */
class PolicyCodecTest {

    private static final String ISSUE_EXAMPLE = """
            {"baseline": "production", "override": null, "rules": [
              {"name": "testers", "when": {"clientIp": {"inSet": "testers"}}, "to": "gray"},
              {"name": "beta", "when": {"header": {"name": "X-Beta", "equals": "on"}}, "to": "gray"},
              {"name": "ab", "when": {"all": [{"cookie": {"name": "ab", "equals": "b"}}, {"method": ["GET", "HEAD"]}]}, "to": "canary"},
              {"name": "ramp", "split": {"by": {"cookie": "uid"}, "weights": {"gray": 10, "canary": 2.5}}}
            ]}""";

    private static final PolicyScope SCOPE = new PolicyScope(List.of("production", "gray", "canary"), Set.of("testers"));

    private static JsonNode json(String s) {
        return StateCodec.tree(s);
    }

    @Test
    void theIssuesExamplePolicyReadsChecksAndRoundTrips() {
        Policy p = PolicyCodec.read(json(ISSUE_EXAMPLE), "");
        SCOPE.check(p);
        assertThat(p.rules()).extracting(PolicyRule::name).containsExactly("testers", "beta", "ab", "ramp");
        PolicyRule.Split ramp = (PolicyRule.Split) p.rule("ramp");
        assertThat(ramp.by()).isEqualTo(new SplitKey.Cookie("uid"));
        assertThat(ramp.weights().basisPoints()).containsExactly(java.util.Map.entry("gray", 1000), java.util.Map.entry("canary", 250));
        assertThat(PolicyCodec.read(PolicyCodec.write(p), "")).isEqualTo(p);
        assertThat(PolicyCodec.write(p).toString()).isEqualTo(json(ISSUE_EXAMPLE).toString());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "{'rules': []}                                                                  | baseline: is required",
            "{'baseline': 'production', 'extra': 1}                                         | extra: unknown key; known keys here: [baseline, override, rules]",
            "{'baseline': 7}                                                                | baseline: expected a string, got 7",
            "{'baseline': 'production', 'rules': {}}                                        | rules: expected a list of rules, got an object",
            "{'baseline': 'production', 'rules': [{'when': {'method': 'GET'}, 'to': 'gray'}]} | rules[0].name: is required",
            "{'baseline': 'production', 'rules': [{'name': 'a b', 'when': {'method': 'GET'}, 'to': 'gray'}]} | `rules[0].name: \"a b\" may hold only letters, digits, '.', '_' and '-' (at most 64)`",
            "{'baseline': 'production', 'rules': [{'name': 'x', 'to': 'gray'}]}             | rules[0].when: is required with \"to\" (a split decides without one)",
            "{'baseline': 'production', 'rules': [{'name': 'x'}]}                           | rules[0]: needs \"to\" (with \"when\": a match rule) or \"split\" (a weighted split)",
            "{'baseline': 'production', 'rules': [{'name': 'x', 'when': {'method': 'GET'}, 'to': 'gray', 'split': {'weights': {}}}]} | rules[0]: has both \"to\" and \"split\"; a rule either matches (when + to) or splits",
            "{'baseline': 'production', 'rules': [{'name': 'x', 'when': {'colour': 'red'}, 'to': 'gray'}]} | rules[0].when.colour: unknown condition; expected clientIp, header, cookie, query, method, path, all, any or not",
            "{'baseline': 'production', 'rules': [{'name': 'x', 'when': {'method': 'GET', 'path': {'prefix': '/'}}, 'to': 'gray'}]} | rules[0].when: expected one condition: clientIp, header, cookie, query, method, path, all, any or not; got an object",
            "{'baseline': 'production', 'rules': [{'name': 'x', 'when': {'header': {'name': 'X-Beta'}}, 'to': 'gray'}]} | rules[0].when.header: needs a test: equals, in, prefix, present, absent or matches",
            "{'baseline': 'production', 'rules': [{'name': 'x', 'when': {'header': {'name': 'X-Beta', 'equals': 'a', 'prefix': 'b'}}, 'to': 'gray'}]} | rules[0].when.header: give one test, not both \"equals\" and \"prefix\"",
            "{'baseline': 'production', 'rules': [{'name': 'x', 'when': {'header': {'name': 'X Beta', 'present': true}}, 'to': 'gray'}]} | rules[0].when.header.name: not a valid name: \"X Beta\"",
            "{'baseline': 'production', 'rules': [{'name': 'x', 'when': {'header': {'name': 'X-Beta', 'equals': 3}}, 'to': 'gray'}]} | rules[0].when.header.equals: expected a string, got 3",
            "{'baseline': 'production', 'rules': [{'name': 'x', 'when': {'header': {'name': 'X-Beta', 'present': false}}, 'to': 'gray'}]} | rules[0].when.header.present: write present: true (or absent: true)",
            "{'baseline': 'production', 'rules': [{'name': 'x', 'when': {'cookie': {'name': 'ab', 'in': []}}, 'to': 'gray'}]} | rules[0].when.cookie.in: expected a non-empty list of strings, got a list",
            "{'baseline': 'production', 'rules': [{'name': 'x', 'when': {'query': {'name': 'q', 'matches': '(unclosed'}}, 'to': 'gray'}]} | `rules[0].when.query.matches: not a valid regular expression (RE2 syntax): error parsing regexp: missing closing ): ``(unclosed```",
            "{'baseline': 'production', 'rules': [{'name': 'x', 'when': {'path': {'present': true}}, 'to': 'gray'}]} | rules[0].when.path.present: unknown key; known keys here: [prefix, equals, matches]",
            "{'baseline': 'production', 'rules': [{'name': 'x', 'when': {'method': ['get me']}, 'to': 'gray'}]} | rules[0].when.method[0]: not a method: \"get me\"",
            "{'baseline': 'production', 'rules': [{'name': 'x', 'when': {'all': []}, 'to': 'gray'}]} | rules[0].when.all: expected a non-empty list of conditions, got a list",
            "{'baseline': 'production', 'rules': [{'name': 'x', 'when': {'not': {'any': [{'nope': 1}]}}, 'to': 'gray'}]} | rules[0].when.not.any[0].nope: unknown condition; expected clientIp, header, cookie, query, method, path, all, any or not",
            "{'baseline': 'production', 'rules': [{'name': 'r', 'split': {'by': {'header': 'X-U'}}}]} | rules[0].split.weights: is required, e.g. {gray: 10}",
            "{'baseline': 'production', 'rules': [{'name': 'r', 'split': {'by': {'body': 'x'}, 'weights': {}}}]} | rules[0].split.by.body: unknown split key; expected header, cookie, query or clientIp",
            "{'baseline': 'production', 'rules': [{'name': 'r', 'split': {'weights': {'gray': 12.345}}}]} | rules[0].split.weights.gray: at most two decimals, got 12.345",
            "{'baseline': 'production', 'rules': [{'name': 'r', 'split': {'weights': {'gray': -1}}}]} | rules[0].split.weights.gray: must be 0 or more, got -1",
            "{'baseline': 'production', 'rules': [{'name': 'r', 'split': {'weights': {'gray': 'lots'}}}]} | rules[0].split.weights.gray: not a percentage: \"lots\"",
            "{'baseline': 'production', 'rules': [{'name': 'r', 'split': {'weights': {'gray': 10}, 'seed': 1}}]} | rules[0].split.seed: unknown key; known keys here: [by, weights, cohort]",
    })
    void aBadPolicyIsRefusedWithThePathOfTheBadValue(String json, String message) {
        assertThatThrownBy(() -> PolicyCodec.read(json(json.replace('\'', '"')), "")).isInstanceOf(PolicyException.class).hasMessage(message);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "{'baseline': 'blue'}                                                           | baseline: no version named \"blue\"; the route's versions: [production, gray, canary]",
            "{'baseline': 'production', 'override': 'blue'}                                 | override: no version named \"blue\"; the route's versions: [production, gray, canary]",
            "{'baseline': 'production', 'rules': [{'name': 'x', 'when': {'method': 'GET'}, 'to': 'blue'}]} | rules[0].to: no version named \"blue\"; the route's versions: [production, gray, canary]",
            "{'baseline': 'production', 'rules': [{'name': 'x', 'when': {'clientIp': {'inSet': 'nope'}}, 'to': 'gray'}]} | rules[0].when.clientIp.inSet: no IP set named \"nope\"; the route's sets: [testers]",
            "{'baseline': 'production', 'rules': [{'name': 'x', 'when': {'method': 'GET'}, 'to': 'gray'}, {'name': 'x', 'when': {'method': 'PUT'}, 'to': 'gray'}]} | rules[1].name: another rule is named \"x\"",
            "{'baseline': 'production', 'rules': [{'name': 'r', 'split': {'weights': {'production': 10}}}]} | rules[0].split.weights.production: \"production\" is the baseline, which takes the rest; give the weights of the other versions",
            "{'baseline': 'production', 'rules': [{'name': 'r', 'split': {'weights': {'canary': 60}}}]} | rules[0].split.weights.canary: 60 exceeds the slot of 50 (each of the route's 2 versions besides the baseline has an equal, fixed share of the buckets)",
            "{'baseline': 'production', 'rules': [{'name': 'r', 'split': {'weights': {'gray': 1}}}, {'name': 'x', 'when': {'method': 'GET'}, 'to': 'gray'}]} | rules[1]: never reached: rule \"r\" before it is a split with no condition, which decides every request",
    })
    void aPolicyNamingWhatTheRouteLacksIsRefusedWithThePath(String json, String message) {
        Policy p = PolicyCodec.read(json(json.replace('\'', '"')), "");
        assertThatThrownBy(() -> SCOPE.check(p)).isInstanceOf(PolicyException.class).hasMessage(message);
    }

    @Test
    void aKeyGivenTwiceIsRefusedNotSilentlyLastWins() {
        assertThatThrownBy(() -> PolicyCodec.JSON.readTree("{\"baseline\": \"a\", \"baseline\": \"b\"}"))
                .hasMessageContaining("Duplicate field 'baseline'");
    }

    @Test
    void weightsTakeNumbersOrPercentStringsWithUpToTwoDecimals() {
        Weights w = PolicyCodec.readWeights(json("{\"a\": 10, \"b\": 2.5, \"c\": \"12.34%\", \"d\": \"0\", \"e\": 0.01}"), "weights");
        assertThat(w.basisPoints()).containsExactly(java.util.Map.entry("a", 1000), java.util.Map.entry("b", 250),
                java.util.Map.entry("c", 1234), java.util.Map.entry("d", 0), java.util.Map.entry("e", 1));
        assertThat(Weights.percent(1234)).isEqualTo("12.34");
        assertThat(Weights.percent(1000)).isEqualTo("10");
    }
}
