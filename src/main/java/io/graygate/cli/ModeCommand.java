package io.graygate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code graygate mode ROUTE MODE}: sets a route's mode. */
@Command(name = "mode", description = "Set a route's mode: gray (the whitelist decides), all-gray or all-production.")
final class ModeCommand extends ClientCommand {

    @Parameters(index = "0", paramLabel = "ROUTE")
    String route;

    @Parameters(index = "1", paramLabel = "MODE", description = "gray, all-gray or all-production")
    String mode;

    @Override
    int run(AdminClient admin) {
        JsonNode state = admin.send("PUT", routePath(route) + "/mode", AdminClient.JSON.createObjectNode().put("mode", mode));
        out().println(summary(state));
        return 0;
    }
}
