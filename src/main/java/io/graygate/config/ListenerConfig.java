package io.graygate.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/** One client listener: an address, and TLS settings when it terminates TLS (then it speaks HTTP/2 too, by ALPN). */
public record ListenerConfig(HostPort address, TlsConfig tls) {

    @JsonCreator
    public ListenerConfig(@JsonProperty("address") HostPort address, @JsonProperty("tls") TlsConfig tls) {
        if (address == null) throw new IllegalArgumentException("address: required (host:port)");
        this.address = address;
        this.tls = tls;
    }

    public static ListenerConfig plain(HostPort address) {
        return new ListenerConfig(address, null);
    }

    public boolean isTls() {
        return tls != null;
    }

    public ListenerConfig withAddress(HostPort a) {
        return new ListenerConfig(a, tls);
    }

    @Override
    public String toString() {
        return address + (tls == null ? "" : " (tls)");
    }
}
