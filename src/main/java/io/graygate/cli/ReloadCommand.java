package io.graygate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

import java.util.ArrayList;
import java.util.List;

/** {@code graygate reload}: the running gateway reads its configuration file again, as on SIGHUP. */
@Command(name = "reload",
        description = "Make the gateway read its configuration file again: routes, upstreams, proxy settings and TLS certificates, without a restart.")
final class ReloadCommand extends ClientCommand {

    @Override
    int run(AdminClient admin) {
        JsonNode r = admin.send("POST", "/api/reload", null);
        List<String> parts = new ArrayList<>();
        part(parts, "routes", r.path("routesAdded"), r.path("routesRemoved"));
        part(parts, "upstreams", r.path("upstreamsAdded"), r.path("upstreamsRemoved"));
        part(parts, "servers", r.path("serversAdded"), r.path("serversRemoved"));
        if (!r.path("certificatesReloaded").isEmpty()) {
            List<String> listeners = new ArrayList<>();
            r.path("certificatesReloaded").forEach(l -> listeners.add(l.asText()));
            parts.add("certificates " + String.join(" ", listeners));
        }
        out().println("reloaded: " + (parts.isEmpty() ? "no route, upstream or certificate changed" : String.join(", ", parts)));
        if (!r.path("needRestart").isEmpty()) {
            List<String> keys = new ArrayList<>();
            r.path("needRestart").forEach(k -> keys.add(k.asText()));
            out().println("changed but not applied until a restart: " + String.join(", ", keys));
        }
        return 0;
    }

    private static void part(List<String> parts, String what, JsonNode added, JsonNode removed) {
        if (added.isEmpty() && removed.isEmpty()) return;
        StringBuilder s = new StringBuilder(what);
        added.forEach(a -> s.append(" +").append(a.asText()));
        removed.forEach(a -> s.append(" -").append(a.asText()));
        parts.add(s.toString());
    }
}
