package io.graygate.config;

import java.util.List;

/**
 * What a reload of the configuration file changed: routes and upstream groups added and removed, servers added and
 * removed, the TLS listeners whose certificates (or TLS settings) changed, and the settings that changed in the
 * file but take a restart (the listen addresses, the store...).
 */
public record ReloadReport(List<String> routesAdded, List<String> routesRemoved, List<String> upstreamsAdded,
                           List<String> upstreamsRemoved, List<String> serversAdded, List<String> serversRemoved,
                           List<String> certificatesReloaded, List<String> needRestart) {

    public ReloadReport {
        routesAdded = List.copyOf(routesAdded);
        routesRemoved = List.copyOf(routesRemoved);
        upstreamsAdded = List.copyOf(upstreamsAdded);
        upstreamsRemoved = List.copyOf(upstreamsRemoved);
        serversAdded = List.copyOf(serversAdded);
        serversRemoved = List.copyOf(serversRemoved);
        certificatesReloaded = List.copyOf(certificatesReloaded);
        needRestart = List.copyOf(needRestart);
    }

    /** One line for the log and the CLI: "routes +api -old, upstreams +api, servers +127.0.0.1:9003, certificates https://0.0.0.0:443". */
    public String summary() {
        StringBuilder s = new StringBuilder();
        part(s, "routes", routesAdded, routesRemoved);
        part(s, "upstreams", upstreamsAdded, upstreamsRemoved);
        part(s, "servers", serversAdded, serversRemoved);
        if (!certificatesReloaded.isEmpty()) {
            if (s.length() > 0) s.append(", ");
            s.append("certificates ").append(String.join(" ", certificatesReloaded));
        }
        if (s.length() == 0) s.append("no route, upstream or certificate changed");
        if (!needRestart.isEmpty()) s.append("; changed but not applied until a restart: ").append(String.join(", ", needRestart));
        return s.toString();
    }

    private static void part(StringBuilder s, String what, List<String> added, List<String> removed) {
        if (added.isEmpty() && removed.isEmpty()) return;
        if (s.length() > 0) s.append(", ");
        s.append(what);
        for (String a : added) s.append(" +").append(a);
        for (String r : removed) s.append(" -").append(r);
    }
}
