package io.graygate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code graygate rollback ROUTE [--to REV]}: back to the policy before the last change, or of any kept revision. */
@Command(name = "rollback", description = "Restore the policy in force before the last policy change (everyone to the baseline if "
        + "none is kept), or the policy of revision --to. IP sets are not rolled back.")
final class RollbackCommand extends ClientCommand {

    @Parameters(index = "0", paramLabel = "ROUTE")
    String route;

    @Option(names = "--to", paramLabel = "REV", description = "A revision listed by 'graygate history ROUTE'.")
    Long to;

    @Override
    int run(AdminClient admin) {
        ObjectNode body = to == null ? null : AdminClient.JSON.createObjectNode().put("to", to);
        JsonNode state = admin.send("POST", routePath(route) + "/rollback", body);
        out().println(summary(state));
        return 0;
    }
}
