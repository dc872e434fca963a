package io.graygate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code graygate promote ROUTE VERSION}: makes a version the baseline (blue-green alternation). */
@Command(name = "promote", description = "Make VERSION the route's baseline and drop the override and the rules that sent requests "
        + "to it; the old baseline is then free for the next release.")
final class PromoteCommand extends ClientCommand {

    @Parameters(index = "0", paramLabel = "ROUTE")
    String route;

    @Parameters(index = "1", paramLabel = "VERSION")
    String version;

    @Override
    int run(AdminClient admin) {
        JsonNode state = admin.send("POST", routePath(route) + "/promote", AdminClient.JSON.createObjectNode().put("version", version));
        out().println(summary(state));
        return 0;
    }
}
