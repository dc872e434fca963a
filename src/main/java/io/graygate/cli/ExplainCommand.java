package io.graygate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;

/** {@code graygate explain ROUTE --ip IP ...}: which version a request would get, and why, rule by rule. */
@Command(name = "explain", description = "Say which version a request would get on a route, and why, rule by rule.")
final class ExplainCommand extends ClientCommand {

    @Parameters(index = "0", arity = "0..1", paramLabel = "ROUTE", description = "The route; may be left out when --path is given.")
    String route;

    @Option(names = "--ip", required = true, paramLabel = "IP", description = "The client address, IPv4 or IPv6.")
    String ip;

    @Option(names = "--path", paramLabel = "PATH", description = "The request path; finds the route when ROUTE is left out.")
    String path;

    @Option(names = "--method", paramLabel = "METHOD", description = "The request method (default GET).")
    String method;

    @Option(names = "--header", paramLabel = "'NAME: VALUE'", description = "A request header; repeatable.")
    List<String> headers = new ArrayList<>();

    @Option(names = "--cookie", paramLabel = "NAME=VALUE", description = "A cookie; repeatable.")
    List<String> cookies = new ArrayList<>();

    @Option(names = "--query", paramLabel = "NAME=VALUE", description = "A query parameter; repeatable.")
    List<String> query = new ArrayList<>();

    @Override
    int run(AdminClient admin) {
        if (route == null && path == null) throw new CliException(CliException.USAGE, "explain: give ROUTE or --path");
        StringBuilder q = new StringBuilder("/api/explain?ip=").append(AdminClient.encode(ip));
        if (route != null) q.append("&route=").append(AdminClient.encode(route));
        if (path != null) q.append("&path=").append(AdminClient.encode(path));
        if (method != null) q.append("&method=").append(AdminClient.encode(method));
        for (String h : headers) q.append("&header=").append(AdminClient.encode(h));
        for (String c : cookies) q.append("&cookie=").append(AdminClient.encode(c));
        for (String x : query) q.append("&query=").append(AdminClient.encode(x));
        JsonNode e = admin.get(q.toString());
        out().println(e.path("route").asText() + ": " + e.path("ip").asText() + " goes to " + e.path("version").asText()
                + " (upstream " + e.path("upstream").asText() + ")");
        String because = "  because " + e.path("reason").asText();
        if (e.path("matchedEntry").isTextual()) because += ", matching entry " + e.path("matchedEntry").asText();
        out().println(because);
        for (JsonNode r : e.path("rules")) {
            String mark = r.path("decided").asBoolean() ? "=> " : "   ";
            StringBuilder line = new StringBuilder("  ").append(mark).append(r.path("rule").asText()).append(": ")
                    .append(r.path("condition").asText()).append("; ").append(r.path("observed").asText());
            if (r.has("bucket")) line.append("; bucket ").append(r.path("bucket").asInt());
            if (r.path("decided").asBoolean()) line.append(" -> ").append(r.path("version").asText());
            out().println(line);
        }
        return 0;
    }
}
