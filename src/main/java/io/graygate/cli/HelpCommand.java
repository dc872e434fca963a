package io.graygate.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code graygate help [COMMAND [SUBCOMMAND]]}: the usage of any command, nested ones too ({@code help gray add}). */
@Command(name = "help", helpCommand = true, description = "Show the usage of graygate or of a command, e.g. graygate help gray add.")
final class HelpCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "COMMAND", description = "The command, and its subcommand if it has them.")
    List<String> path = List.of();

    @Override
    public Integer call() {
        CommandLine target = spec.root().commandLine();
        for (String name : path) {
            CommandLine sub = target.getSubcommands().get(name);
            if (sub == null) {
                spec.commandLine().getErr().println("graygate: help: no command \"" + String.join(" ", path) + "\"; the commands are: "
                        + String.join(", ", target.getSubcommands().keySet()));
                spec.commandLine().getErr().flush();
                return CliException.USAGE;
            }
            target = sub;
        }
        target.usage(spec.commandLine().getOut());
        return 0;
    }
}
