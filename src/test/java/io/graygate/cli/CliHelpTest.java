package io.graygate.cli;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Help for every command and subcommand, and shell completion, as a user asks for them. */
class CliHelpTest {

    @ParameterizedTest(name = "graygate {0} --help")
    @ValueSource(strings = {"serve", "gray", "gray add", "gray remove", "gray list", "switch", "rollback", "mode", "explain",
            "status", "reload", "completion", "help"})
    void everyCommandAnswersHelpWithItsOwnUsage(String command) {
        String[] words = (command + " --help").split(" ");
        CliRun run = CliRun.of(words);
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("Usage: graygate " + command + " ");
    }

    @Test
    void helpNamesANestedCommand() {
        CliRun run = CliRun.of("help", "gray", "add");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("Usage: graygate gray add ").contains("ROUTE ENTRY...");
        assertThat(CliRun.of("help", "gray", "nope").err()).isEqualTo("graygate: help: no command \"gray nope\"; the commands are: add, remove, list\n");
    }

    @Test
    void completionScriptsCoverTheCommands() {
        for (String shell : new String[] {"bash", "zsh"}) {
            CliRun run = CliRun.of("completion", shell);
            assertThat(run.exitCode()).isZero();
            assertThat(run.out()).contains("complete -F _complete_graygate").contains("reload").contains("gray add");
        }
        assertThat(CliRun.of("completion", "fish").exitCode()).isEqualTo(2);
    }
}
