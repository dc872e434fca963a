package io.graygate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code graygate rollback ROUTE}: back to the mode before the last mode change. */
@Command(name = "rollback", description = "Return a route to the mode before the last switch or mode change (all-production if none).")
final class RollbackCommand extends ClientCommand {

    @Parameters(index = "0", paramLabel = "ROUTE")
    String route;

    @Override
    int run(AdminClient admin) {
        JsonNode state = admin.send("POST", routePath(route) + "/rollback", null);
        out().println(summary(state));
        return 0;
    }
}
