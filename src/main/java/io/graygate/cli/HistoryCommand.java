package io.graygate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code graygate history ROUTE}: the kept revisions, newest first. */
@Command(name = "history", description = "List a route's kept revisions, newest first: time, actor and change; "
        + "'rollback --to REV' restores one's policy.")
final class HistoryCommand extends ClientCommand {

    @Parameters(index = "0", paramLabel = "ROUTE")
    String route;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "20", description = "At most N revisions (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    int run(AdminClient admin) {
        JsonNode h = admin.get(routePath(route) + "/history?limit=" + limit);
        out().printf("%-5s %-24s %-20s %s%n", "REV", "AT", "ACTOR", "CHANGE");
        for (JsonNode e : h.path("history")) {
            out().printf("%-5d %-24s %-20s %s%n", e.path("revision").asLong(), e.path("at").asText(), e.path("actor").asText(), e.path("change").asText());
        }
        return 0;
    }
}
