package io.graygate.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.List;

/** {@code graygate gray add|remove|list}: the route's IP set "whitelist", the clients sent to gray (the first release's commands). */
@Command(name = "gray", description = "Change or list a route's whitelist (clients sent to gray); the same as 'graygate set ... ROUTE whitelist'.",
        subcommands = {GrayCommand.Add.class, GrayCommand.Remove.class, GrayCommand.ListEntries.class})
final class GrayCommand {

    private GrayCommand() {
    }

    @Command(name = "add", description = "Send these clients (addresses or CIDRs, IPv4 or IPv6) to gray.")
    static final class Add extends EntriesChange {
        Add() {
            super("POST");
        }
    }

    @Command(name = "remove", description = "Stop sending these clients to gray (each entry exactly as listed).")
    static final class Remove extends EntriesChange {
        Remove() {
            super("DELETE");
        }
    }

    /** Adding and removing differ only in the HTTP method: the admin API checks every entry before applying any. */
    abstract static class EntriesChange extends ClientCommand {
        private final String method;

        @Parameters(index = "0", paramLabel = "ROUTE")
        String route;

        @Parameters(index = "1..*", arity = "1..*", paramLabel = "ENTRY", description = "e.g. 192.168.2.165, 10.1.0.0/16, 2001:db8::/32")
        List<String> entries;

        EntriesChange(String method) {
            this.method = method;
        }

        @Override
        int run(AdminClient admin) {
            out().println(summary(SetCommand.sendEntries(admin, method, routePath(route) + "/whitelist", entries)));
            return 0;
        }
    }

    @Command(name = "list", description = "Print the whitelist, one entry a line, in address order.")
    static final class ListEntries extends ClientCommand {
        @Parameters(index = "0", paramLabel = "ROUTE")
        String route;

        @Override
        int run(AdminClient admin) {
            return SetCommand.printEntries(this, admin.get(routePath(route) + "/whitelist"), route + ": the whitelist is empty");
        }
    }
}
