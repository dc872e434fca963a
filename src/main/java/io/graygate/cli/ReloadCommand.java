package io.graygate.cli;

import io.graygate.config.ReloadReport;
import picocli.CommandLine.Command;

/** {@code graygate reload}: the running gateway reads its configuration file again, as on SIGHUP. */
@Command(name = "reload",
        description = "Make the gateway read its configuration file again: routes, upstreams, proxy settings and TLS certificates, without a restart.")
final class ReloadCommand extends ClientCommand {

    @Override
    int run(AdminClient admin) {
        ReloadReport r = AdminClient.JSON.convertValue(admin.send("POST", "/api/reload", null), ReloadReport.class);
        out().println("reloaded: " + r.changes());
        if (!r.needRestart().isEmpty()) out().println("changed but not applied until a restart: " + String.join(", ", r.needRestart()));
        return 0;
    }
}
