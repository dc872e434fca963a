package io.graygate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code graygate switch ROUTE [VERSION]}: the blue-green switch, everyone to one version. */
@Command(name = "switch", description = "Send everyone on a route to one version (default: the only one besides the baseline); "
        + "'rollback' undoes it.")
final class SwitchCommand extends ClientCommand {

    @Parameters(index = "0", paramLabel = "ROUTE")
    String route;

    @Parameters(index = "1", arity = "0..1", paramLabel = "VERSION", description = "The version everyone goes to.")
    String version;

    @Override
    int run(AdminClient admin) {
        ObjectNode body = version == null ? null : AdminClient.JSON.createObjectNode().put("version", version);
        JsonNode state = admin.send("POST", routePath(route) + "/switch", body);
        out().println(summary(state));
        return 0;
    }
}
