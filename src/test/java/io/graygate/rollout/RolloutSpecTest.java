package io.graygate.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.graygate.policy.PolicyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.URI;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RolloutSpecTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static JsonNode yaml(String text) throws Exception {
        return YAML.readTree(text);
    }

    @Test
    void theIssuesExampleReadsWithEveryField() throws Exception {
        RolloutSpec s = RolloutCodec.readSpec(yaml("""
                rollout:
                  version: gray
                  rule: ramp
                  steps: [ {weight: 1, pause: 2m}, {weight: 5, pause: 5m}, {weight: 25, pause: 10m}, {weight: 50, pause: 10m},
                           {weight: 100, pause: 5m} ]
                  analysis:
                    interval: 30s
                    minRequests: 100
                    maxErrorRate: 1%
                    maxP99: 500ms
                    maxP99Ratio: 1.5
                    failureLimit: 2
                  onSuccess: switch
                  onAbort: rollback
                  notify: https://hooks.example/rollouts
                """));
        assertThat(s.version()).isEqualTo("gray");
        assertThat(s.steps()).extracting(RolloutSpec.Step::weight).containsExactly(100, 500, 2500, 5000, 10000);
        assertThat(s.steps()).extracting(RolloutSpec.Step::pause)
                .containsExactly(Duration.ofMinutes(2), Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofMinutes(10), Duration.ofMinutes(5));
        assertThat(s.analysis()).isEqualTo(new RolloutSpec.Analysis(Duration.ofSeconds(30), 100, 100, Duration.ofMillis(500), 1.5, 2));
        assertThat(s.onSuccess()).isEqualTo(RolloutSpec.OnSuccess.SWITCH);
        assertThat(s.onAbort()).isEqualTo(RolloutSpec.OnAbort.ROLLBACK);
        assertThat(s.notifyUrl()).isEqualTo(URI.create("https://hooks.example/rollouts"));
    }

    @Test
    void defaultsFillWhatIsLeftOut() throws Exception {
        RolloutSpec s = RolloutCodec.readSpec(yaml("{version: gray, steps: [{weight: 10}]}"));
        assertThat(s.rule()).isEqualTo("ramp");
        assertThat(s.steps().get(0).pause()).isZero();
        assertThat(s.analysis()).isEqualTo(RolloutSpec.Analysis.defaults());
        assertThat(s.onSuccess()).isEqualTo(RolloutSpec.OnSuccess.SWITCH);
        assertThat(s.onAbort()).isEqualTo(RolloutSpec.OnAbort.ROLLBACK);
        assertThat(s.notifyUrl()).isNull();
        assertThat(s.lease()).isEqualTo(RolloutSpec.DEFAULT_LEASE);
    }

    @Test
    void writtenSpecsReadBackEqual() throws Exception {
        RolloutSpec s = RolloutCodec.readSpec(yaml("""
                {version: canary, rule: r2, steps: [{weight: 2.5, pause: 1500ms}, {weight: 50, pause: 1h}],
                 analysis: {interval: 2m, minRequests: 7, maxErrorRate: 0.5%, maxP99Ratio: 2, failureLimit: 3},
                 onSuccess: hold, onAbort: stepBack, notify: "http://127.0.0.1:9/x", lease: 2s}
                """));
        assertThat(RolloutCodec.readSpec(RolloutCodec.writeSpec(s))).isEqualTo(s);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "{steps: [{weight: 5}]}                                          | version: is required",
            "{version: gray}                                                 | steps: is required",
            "{version: gray, steps: []}                                      | steps: at least one step",
            "{version: gray, steps: [{weight: 101}]}                         | steps[0].weight: must be at most 100, got 101",
            "{version: gray, steps: [{weight: -1}]}                          | steps[0].weight: must be 0 or more",
            "{version: gray, steps: [{weight: 5}, {weight: 5}]}              | steps[1].weight: must be more than the step before's 5",
            "{version: gray, steps: [{weight: 50}, {weight: 25}]}            | steps[1].weight: must be more than the step before's 50",
            "{version: gray, steps: [{weight: 5, pause: soon}]}              | steps[0].pause: expected a duration",
            "{version: gray, steps: [{weight: 5, pause: -1s}]}               | steps[0].pause: must be 0 or more",
            "{version: gray, steps: [{weight: 5, wait: 1s}]}                 | steps[0].wait: unknown field",
            "{version: gray, steps: [{weight: 5}], analysis: {interval: 1500ms}} | analysis.interval: must be whole seconds from 1s to 5m",
            "{version: gray, steps: [{weight: 5}], analysis: {interval: 10m}}    | analysis.interval: must be whole seconds from 1s to 5m",
            "{version: gray, steps: [{weight: 5}], analysis: {minRequests: 0}}   | analysis.minRequests: must be at least 1",
            "{version: gray, steps: [{weight: 5}], analysis: {maxErrorRate: 120%}} | analysis.maxErrorRate: must be at most 100",
            "{version: gray, steps: [{weight: 5}], analysis: {maxP99: 0ms}}      | analysis.maxP99: must be more than 0",
            "{version: gray, steps: [{weight: 5}], analysis: {maxP99Ratio: -1}}  | analysis.maxP99Ratio: must be a number more than 0",
            "{version: gray, steps: [{weight: 5}], analysis: {failureLimit: 0}}  | analysis.failureLimit: must be at least 1",
            "{version: gray, steps: [{weight: 5}], analysis: {maxErrors: 1}}     | analysis.maxErrors: unknown field",
            "{version: gray, steps: [{weight: 5}], onSuccess: party}             | onSuccess: expected switch or hold",
            "{version: gray, steps: [{weight: 5}], onAbort: retreat}             | onAbort: expected rollback or stepBack",
            "{version: gray, steps: [{weight: 5}], notify: 'ftp://x/y'}          | notify: expected an http:// or https:// URL",
            "{version: gray, steps: [{weight: 5}], lease: 10ms}                  | lease: must be at least 1s",
            "{version: gray, steps: [{weight: 5}], colour: blue}                 | colour: unknown field",
    })
    void aBadFieldIsRefusedByName(String spec, String message) throws Exception {
        assertThatThrownBy(() -> RolloutCodec.readSpec(yaml(spec))).isInstanceOf(PolicyException.class).hasMessageStartingWith(message);
    }
}
