package io.graygate.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.nio.file.Path;

/** One certificate of a TLS listener: the PEM file of the certificate chain (leaf first) and the PEM file of its private key. */
public record CertificateConfig(Path cert, Path key) {

    @JsonCreator
    public CertificateConfig(@JsonProperty("cert") String cert, @JsonProperty("key") String key) {
        this(path("cert", cert), path("key", key));
    }

    public CertificateConfig {
        if (cert == null) throw new IllegalArgumentException("cert: required (a PEM file)");
        if (key == null) throw new IllegalArgumentException("key: required (a PEM file)");
    }

    private static Path path(String field, String value) {
        if (value == null || value.isBlank()) throw new IllegalArgumentException(field + ": required (a PEM file)");
        return Path.of(value.strip());
    }
}
