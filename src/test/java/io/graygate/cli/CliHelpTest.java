package io.graygate.cli;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

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

    /**
     * picocli passes every help text through {@link String#format}; a bare '%' (say "error %") fails there, and
     * picocli then prints a warning on standard error (its tracer writes to System.err, not to the command's writer)
     * at every run and shows the text unformatted. Renders the help of every command in the tree and reads what
     * picocli said meanwhile.
     */
    @Test
    void everyCommandsHelpRendersWithoutAPicocliWarning() {
        PrintStream stderr = System.err;
        ByteArrayOutputStream said = new ByteArrayOutputStream();
        List<String> rendered = new ArrayList<>();
        try {
            System.setErr(new PrintStream(said, true, StandardCharsets.UTF_8));
            List<CommandLine> pending = new ArrayList<>(List.of(new CommandLine(new Main())));
            while (!pending.isEmpty()) {
                CommandLine cl = pending.remove(pending.size() - 1);
                pending.addAll(cl.getSubcommands().values());
                cl.getUsageMessage();
                rendered.add(cl.getCommandSpec().qualifiedName());
            }
        } finally {
            System.setErr(stderr);
        }
        assertThat(rendered).contains("graygate top", "graygate rollout start", "graygate policy apply").hasSizeGreaterThan(20);
        assertThat(said.toString(StandardCharsets.UTF_8)).isEmpty();
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
