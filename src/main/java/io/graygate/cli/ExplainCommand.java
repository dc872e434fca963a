package io.graygate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code graygate explain ROUTE --ip IP}: which version a client gets, and the rule and entry that decided. */
@Command(name = "explain", description = "Say which version a client address gets on a route, and why.")
final class ExplainCommand extends ClientCommand {

    @Parameters(index = "0", arity = "0..1", paramLabel = "ROUTE", description = "The route; may be left out when --path is given.")
    String route;

    @Option(names = "--ip", required = true, paramLabel = "IP", description = "The client address, IPv4 or IPv6.")
    String ip;

    @Option(names = "--path", paramLabel = "PATH", description = "A request path; finds the route when ROUTE is left out.")
    String path;

    @Override
    int run(AdminClient admin) {
        if (route == null && path == null) throw new CliException(CliException.USAGE, "explain: give ROUTE or --path");
        StringBuilder query = new StringBuilder("/api/explain?ip=").append(AdminClient.encode(ip));
        if (route != null) query.append("&route=").append(AdminClient.encode(route));
        if (path != null) query.append("&path=").append(AdminClient.encode(path));
        JsonNode e = admin.get(query.toString());
        out().println(e.path("route").asText() + ": " + e.path("ip").asText() + " goes to " + e.path("version").asText()
                + " (upstream " + e.path("upstream").asText() + ")");
        String because = "  because " + e.path("reason").asText();
        if (e.path("matchedEntry").isTextual()) because += ", matching entry " + e.path("matchedEntry").asText();
        out().println(because);
        return 0;
    }
}
