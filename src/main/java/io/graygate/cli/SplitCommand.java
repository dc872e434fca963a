package io.graygate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.List;

/** {@code graygate split ROUTE RULE VERSION=PERCENT...}: new weights for a sticky split (the quick ramp). */
@Command(name = "split", description = "Set the weights of a split rule, e.g. 'graygate split shop ramp gray=25'; the baseline takes "
        + "the rest. Users only move from the baseline to a version whose weight grows, and back when it shrinks.")
final class SplitCommand extends ClientCommand {

    @Parameters(index = "0", paramLabel = "ROUTE")
    String route;

    @Parameters(index = "1", paramLabel = "RULE")
    String rule;

    @Parameters(index = "2..*", arity = "1..*", paramLabel = "VERSION=PERCENT", description = "e.g. gray=10 canary=2.5")
    List<String> weights;

    @Override
    int run(AdminClient admin) {
        ObjectNode body = AdminClient.JSON.createObjectNode();
        ObjectNode w = body.putObject("weights");
        for (String pair : weights) {
            int eq = pair.indexOf('=');
            if (eq <= 0 || eq == pair.length() - 1) throw new CliException(CliException.USAGE, "split: expected VERSION=PERCENT, got \"" + pair + "\"");
            w.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        JsonNode policy = admin.send("PUT", routePath(route) + "/split/" + AdminClient.encode(rule), body);
        out().println(route + ": split " + rule + " now " + PolicyCommand.weightsOf(policy.path("policy"), rule) + ", revision "
                + policy.path("revision").asLong());
        return 0;
    }
}
