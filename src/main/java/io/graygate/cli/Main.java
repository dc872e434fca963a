package io.graygate.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import java.util.concurrent.Callable;

/** The {@code graygate} command line: {@code serve} runs a gateway, the other commands talk to a running one's admin API. */
@Command(name = "graygate", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT, versionProvider = Main.Version.class,
        description = "Gray-release HTTP gateway: rules and sticky splits choose which version of a service each request reaches.",
        subcommands = {ServeCommand.class, GrayCommand.class, SetCommand.class, PolicyCommand.class, SplitCommand.class,
                SwitchCommand.class, PromoteCommand.class, RollbackCommand.class, HistoryCommand.class, AuditCommand.class, ModeCommand.class,
                ExplainCommand.class, StatusCommand.class, TopCommand.class, ReloadCommand.class, CompletionCommand.class, HelpCommand.class})
public final class Main implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    /** {@code graygate} alone: the usage, as for any other incomplete command line. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return CliException.USAGE;
    }

    /** The version from the jar's Maven metadata, or "(development build)" when run from classes. */
    static String version() {
        return io.graygate.BuildInfo.version();
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"graygate " + version(), "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"};
        }
    }
}
