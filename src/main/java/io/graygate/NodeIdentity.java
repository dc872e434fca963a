package io.graygate;

import io.graygate.config.GatewayConfig;

import java.io.IOException;
import java.net.InetAddress;

/**
 * This node's name among the nodes sharing a store, in audit entries (and the node list): {@code HOST:ADMINPORT}, or
 * {@code HOST#PID} when the admin port is chosen at start (0), so that two nodes on one host stay apart.
 */
public record NodeIdentity(String id) {

    public static NodeIdentity forConfig(GatewayConfig config) {
        int port = config.admin().listen().port();
        return new NodeIdentity(hostName() + (port != 0 ? ":" + port : "#" + ProcessHandle.current().pid()));
    }

    static String hostName() {
        String h = System.getenv("HOSTNAME");
        if (h != null && !h.isBlank()) return h.strip();
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    @Override
    public String toString() {
        return id;
    }
}
