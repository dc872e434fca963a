package io.graygate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** A command that talks to a running gateway's admin API: the shared --admin and --token options, and one-line errors. */
abstract class ClientCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--admin", paramLabel = "URL", defaultValue = "http://127.0.0.1:9090",
            description = "The admin API (default: ${DEFAULT-VALUE}).")
    String adminUrl;

    @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:GRAYGATE_ADMIN_TOKEN}", showDefaultValue = picocli.CommandLine.Help.Visibility.NEVER,
            description = "The admin token (default: the GRAYGATE_ADMIN_TOKEN environment variable, which keeps it out of the process list).")
    String token;

    /** Does the command's work, printing to {@link #out()}; returns the exit code. */
    abstract int run(AdminClient admin);

    @Override
    public final Integer call() {
        try {
            return run(new AdminClient(adminUrl, token));
        } catch (CliException e) {
            err().println("graygate: " + e.getMessage());
            err().flush();
            return e.exitCode();
        }
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    static String routePath(String route) {
        return "/api/routes/" + AdminClient.encode(route);
    }

    /** "demo: mode all-gray (was gray), whitelist 3 entries, version 4", the one-line summary of a route's state. */
    static String summary(JsonNode route) {
        StringBuilder s = new StringBuilder(route.path("name").asText()).append(": mode ").append(route.path("mode").asText());
        if (route.path("previousMode").isTextual()) s.append(" (was ").append(route.path("previousMode").asText()).append(')');
        int size = route.path("whitelistSize").asInt();
        return s.append(", whitelist ").append(size).append(size == 1 ? " entry" : " entries")
                .append(", version ").append(route.path("version").asLong()).toString();
    }
}
