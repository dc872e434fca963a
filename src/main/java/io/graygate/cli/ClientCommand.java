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

    @Option(names = "--actor", paramLabel = "WHO", description = "Who to record the changes as made by, beside the token's name "
            + "(default: USER@HOST), e.g. --actor alice@laptop.")
    String actor;

    /** Does the command's work, printing to {@link #out()}; returns the exit code. */
    abstract int run(AdminClient admin);

    @Override
    public final Integer call() {
        try {
            return run(new AdminClient(adminUrl, token, actor));
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

    /**
     * The one-line summary of a route's state: "demo: mode all-gray (was gray), whitelist 3 entries, revision 4" for
     * a route with the first release's two versions; "shop: override canary, split gray 10%, revision 9" otherwise.
     */
    static String summary(JsonNode route) {
        StringBuilder s = new StringBuilder(route.path("name").asText()).append(": ");
        String override = route.path("override").isTextual() ? route.path("override").asText() : null;
        String baseline = route.path("baseline").asText();
        JsonNode versions = route.path("versions");
        boolean legacyShape = versions.size() == 2 && versions.has("production") && versions.has("gray") && baseline.equals("production");
        if (legacyShape) {
            s.append("mode ").append(route.path("mode").asText());
            if (route.path("previousMode").isTextual()) s.append(" (was ").append(route.path("previousMode").asText()).append(')');
        } else if (override != null) {
            s.append("override ").append(override);
        } else {
            s.append("baseline ").append(baseline);
        }
        JsonNode shares = route.path("shares");
        if (override == null && shares.isObject()) {
            StringBuilder split = new StringBuilder();
            shares.fields().forEachRemaining(e -> {
                if (!e.getKey().equals(baseline) && e.getValue().asDouble() > 0) {
                    split.append(split.length() == 0 ? "" : ", ").append(e.getKey()).append(' ').append(e.getValue().asText()).append('%');
                }
            });
            if (split.length() > 0) s.append(", split ").append(split);
        }
        if (route.has("whitelistSize")) {
            int size = route.path("whitelistSize").asInt();
            s.append(", whitelist ").append(entries(size));
        }
        return s.append(", revision ").append(route.path("revision").asLong()).toString();
    }

    static String entries(int n) {
        return n == 1 ? "1 entry" : n + " entries";
    }
}
