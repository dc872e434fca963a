package io.graygate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code graygate audit [ROUTE] [--since 1h] [--limit N]}: the audit log, newest first, one line per change. */
@Command(name = "audit", description = "List the audit log of rule changes, newest first: time, route, actor, node, revisions "
        + "and change; every route's, or one route's.")
final class AuditCommand extends ClientCommand {

    @Parameters(index = "0", paramLabel = "ROUTE", arity = "0..1", description = "Only this route's changes.")
    String route;

    @Option(names = "--since", paramLabel = "WHEN", description = "Only changes since an ISO-8601 time or a duration ago (1h, 15m, 7d).")
    String since;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "100", description = "At most N entries (default: ${DEFAULT-VALUE}, at most 10000).")
    int limit;

    @Override
    int run(AdminClient admin) {
        StringBuilder path = new StringBuilder("/api/audit?limit=").append(limit);
        if (route != null) path.append("&route=").append(AdminClient.encode(route));
        if (since != null) path.append("&since=").append(AdminClient.encode(since));
        JsonNode answer = admin.get(path.toString());
        for (JsonNode e : answer.path("entries")) out().println(line(e));
        if (answer.path("entries").isEmpty()) err().println("graygate: no audit entries" + (route == null ? "" : " for route " + route)
                + (since == null ? "" : " since " + since));
        return 0;
    }

    /** "2026-12-03T11:02:09.120Z demo rev 4->5 deploy-bot (alice@host) on gw1:9090: whitelist add 10.0.0.1 (1 entry)" */
    static String line(JsonNode e) {
        return e.path("time").asText() + "  " + e.path("route").asText() + "  rev " + e.path("revisionBefore").asLong() + "->"
                + e.path("revisionAfter").asLong() + "  " + e.path("actor").asText() + "  on " + e.path("node").asText() + ": "
                + e.path("change").asText();
    }
}
