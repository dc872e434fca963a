package io.graygate.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * TLS towards a group's {@code https://} servers: the certificate is verified, name included, against the JVM's trust
 * store, or against the authorities of the PEM file {@code ca} instead; {@code verify: false} turns verifying off.
 */
public record UpstreamTlsConfig(boolean verify, Path ca) {

    @JsonCreator
    public UpstreamTlsConfig(@JsonProperty("verify") Boolean verify, @JsonProperty("ca") String ca) {
        this(verify == null || verify, checkedCa(ca));
    }

    public static UpstreamTlsConfig defaults() {
        return new UpstreamTlsConfig(true, null);
    }

    private static Path checkedCa(String ca) {
        if (ca == null || ca.isBlank()) return null;
        Path p = Path.of(ca.strip());
        if (!Files.isReadable(p)) throw new IllegalArgumentException("ca: cannot read \"" + ca + "\"");
        return p;
    }
}
