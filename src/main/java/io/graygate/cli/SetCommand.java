package io.graygate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.List;

/** {@code graygate set add|remove|list ROUTE SET ...}: a route's named IP sets, which clientIp rules test. */
@Command(name = "set", description = "Change or list one of a route's IP sets (exact addresses and CIDRs, IPv4 and IPv6).",
        subcommands = {SetCommand.Add.class, SetCommand.Remove.class, SetCommand.ListEntries.class})
final class SetCommand {

    private SetCommand() {
    }

    @Command(name = "add", description = "Add entries to an IP set (the set is created if the route has none of that name).")
    static final class Add extends Change {
        Add() {
            super("POST");
        }
    }

    @Command(name = "remove", description = "Remove entries from an IP set (each entry exactly as listed).")
    static final class Remove extends Change {
        Remove() {
            super("DELETE");
        }
    }

    /** Adding and removing differ only in the HTTP method: the admin API checks every entry before applying any. */
    abstract static class Change extends ClientCommand {
        private final String method;

        @Parameters(index = "0", paramLabel = "ROUTE")
        String route;

        @Parameters(index = "1", paramLabel = "SET")
        String set;

        @Parameters(index = "2..*", arity = "1..*", paramLabel = "ENTRY", description = "e.g. 192.168.2.165, 10.1.0.0/16, 2001:db8::/32")
        List<String> entries;

        Change(String method) {
            this.method = method;
        }

        @Override
        int run(AdminClient admin) {
            out().println(summary(sendEntries(admin, method, routePath(route) + "/sets/" + AdminClient.encode(set), entries)));
            return 0;
        }
    }

    @Command(name = "list", description = "Print an IP set, one entry a line, in address order.")
    static final class ListEntries extends ClientCommand {
        @Parameters(index = "0", paramLabel = "ROUTE")
        String route;

        @Parameters(index = "1", paramLabel = "SET")
        String set;

        @Override
        int run(AdminClient admin) {
            return printEntries(this, admin.get(routePath(route) + "/sets/" + AdminClient.encode(set)), route + ": the set " + set + " is empty");
        }
    }

    static JsonNode sendEntries(AdminClient admin, String method, String path, List<String> entries) {
        ObjectNode body = AdminClient.JSON.createObjectNode();
        entries.forEach(body.putArray("entries")::add);
        return admin.send(method, path, body);
    }

    static int printEntries(ClientCommand c, JsonNode list, String whenEmpty) {
        for (JsonNode e : list.path("entries")) c.out().println(e.asText());
        // Said on stderr, so that stdout stays one entry a line for scripts.
        if (list.path("size").asInt() == 0) c.err().println(whenEmpty);
        return 0;
    }
}
