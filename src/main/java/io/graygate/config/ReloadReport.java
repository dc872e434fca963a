package io.graygate.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.List;

/**
 * What a reload of the configuration file changed: routes and upstream groups added and removed, servers added and
 * removed, the TLS listeners whose certificates (or TLS settings) changed, and the settings that changed in the
 * file but take a restart (the listen addresses, the store...).
 */
@JsonIgnoreProperties(ignoreUnknown = true) // the CLI reads the admin API's answer; a newer gateway may say more
public record ReloadReport(List<String> routesAdded, List<String> routesRemoved, List<String> upstreamsAdded,
                           List<String> upstreamsRemoved, List<String> serversAdded, List<String> serversRemoved,
                           List<String> certificatesReloaded, List<String> needRestart) {

    /** A list the JSON of an older gateway does not have is read as empty. */
    public ReloadReport {
        routesAdded = copy(routesAdded);
        routesRemoved = copy(routesRemoved);
        upstreamsAdded = copy(upstreamsAdded);
        upstreamsRemoved = copy(upstreamsRemoved);
        serversAdded = copy(serversAdded);
        serversRemoved = copy(serversRemoved);
        certificatesReloaded = copy(certificatesReloaded);
        needRestart = copy(needRestart);
    }

    private static List<String> copy(List<String> l) {
        return l == null ? List.of() : List.copyOf(l);
    }

    /** One line for the log: what {@link #changes()} says, then the settings that wait for a restart. */
    public String summary() {
        String s = changes();
        return needRestart.isEmpty() ? s : s + "; changed but not applied until a restart: " + String.join(", ", needRestart);
    }

    /** What was put in force: "routes +api -old, upstreams +api, servers +127.0.0.1:9003, certificates https://0.0.0.0:443". */
    public String changes() {
        StringBuilder s = new StringBuilder();
        part(s, "routes", routesAdded, routesRemoved);
        part(s, "upstreams", upstreamsAdded, upstreamsRemoved);
        part(s, "servers", serversAdded, serversRemoved);
        if (!certificatesReloaded.isEmpty()) {
            if (s.length() > 0) s.append(", ");
            s.append("certificates ").append(String.join(" ", certificatesReloaded));
        }
        if (s.length() == 0) s.append("no route, upstream or certificate changed");
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
