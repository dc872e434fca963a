package io.graygate.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.graygate.routing.ip.IpSet;

import java.util.List;

/** Which peers may tell us the client's address in X-Real-IP / X-Forwarded-For. Empty: nobody, the TCP peer is the client. */
public record ClientIpConfig(List<String> trustedProxies) {

    @JsonCreator
    public ClientIpConfig(@JsonProperty("trustedProxies") List<String> trustedProxies) {
        this.trustedProxies = trustedProxies == null ? List.of() : List.copyOf(trustedProxies);
        for (int i = 0; i < this.trustedProxies.size(); i++) {
            try {
                io.graygate.routing.ip.IpEntry.parse(this.trustedProxies.get(i));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("trustedProxies[" + i + "]: " + e.getMessage());
            }
        }
    }

    public static ClientIpConfig defaults() {
        return new ClientIpConfig(null);
    }

    public IpSet trustedProxySet() {
        return IpSet.parse(trustedProxies);
    }
}
