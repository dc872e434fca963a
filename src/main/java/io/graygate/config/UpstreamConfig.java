package io.graygate.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/** An upstream group: one or more servers, used in turn (round-robin). */
public record UpstreamConfig(List<HostPort> servers) {

    @JsonCreator
    public UpstreamConfig(@JsonProperty("servers") List<HostPort> servers) {
        if (servers == null || servers.isEmpty()) throw new IllegalArgumentException("servers: at least one server is required");
        for (int i = 0; i < servers.size(); i++) {
            HostPort s = servers.get(i);
            if (s == null) throw new IllegalArgumentException("servers[" + i + "]: is empty");
            if (s.port() == 0) throw new IllegalArgumentException("servers[" + i + "]: port 0 is not a server's port");
        }
        this.servers = List.copyOf(servers);
    }
}
