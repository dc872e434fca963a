package io.graygate.config;

/**
 * One version of a route as configured: the upstream group that serves it, and a path prefix of its own that replaces
 * the group's ({@code null}: the group's applies). {@code source} is the YAML key it was written under
 * ({@code versions.gray}, or {@code stable}/{@code gray} for the shorthand), so that an error about it names what the
 * user wrote.
 */
public record VersionConfig(String upstream, String pathPrefix, String source) {

    public VersionConfig {
        if (upstream == null || upstream.isBlank()) throw new IllegalArgumentException(source + ": the upstream group is required");
    }

    public VersionConfig(String upstream, String source) {
        this(upstream, null, source);
    }
}
