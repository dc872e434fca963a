package io.graygate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code graygate switch ROUTE}: the blue-green switch, everyone to gray. */
@Command(name = "switch", description = "Send everyone on a route to gray (mode all-gray); 'rollback' undoes it.")
final class SwitchCommand extends ClientCommand {

    @Parameters(index = "0", paramLabel = "ROUTE")
    String route;

    @Override
    int run(AdminClient admin) {
        JsonNode state = admin.send("POST", routePath(route) + "/switch", null);
        out().println(summary(state));
        return 0;
    }
}
