package io.graygate.admin;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The actor recorded with a change: the token's name first, what the caller says of itself beside it, cleaned. */
class ActorTest {

    @ParameterizedTest(name = "token {0}, X-Graygate-Actor \"{1}\" -> {2}")
    @CsvSource(delimiter = '|', nullValues = "null", value = {
            "deploy-bot | alice@host         | deploy-bot (alice@host)",
            "deploy-bot | null               | deploy-bot",
            "deploy-bot | '   '              | deploy-bot",
            "null       | alice@host         | admin (alice@host)",
            "admin      | 'bob   (root)  x'  | admin (bob ?root? x)",
            "admin      | 'élan@hôte'        | admin (?lan@h?te)",
    })
    void theTokensNameComesFirstAndTheCallersWordIsCleaned(String token, String said, String actor) {
        assertThat(Actor.of(token, said)).isEqualTo(actor);
    }

    @org.junit.jupiter.api.Test
    void whatTheCallerSaysIsCutAtSixtyFourCharacters() {
        String recorded = Actor.of("bot", "x".repeat(1000));
        assertThat(recorded).isEqualTo("bot (" + "x".repeat(Actor.MAX_SAID) + ")");
    }
}
