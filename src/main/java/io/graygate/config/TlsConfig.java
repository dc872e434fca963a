package io.graygate.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Set;

/**
 * TLS on a listener: the certificates (the first is the default; SNI picks among them by the names they carry),
 * the protocol versions, and optionally the cipher suites (by their IANA names; the defaults are HTTP/2's).
 */
public record TlsConfig(List<CertificateConfig> certificates, List<String> protocols, List<String> ciphers) {

    public static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    private static final Set<String> KNOWN_PROTOCOLS = Set.of("TLSv1.3", "TLSv1.2");

    @JsonCreator
    public TlsConfig(@JsonProperty("certificates") List<CertificateConfig> certificates,
                     @JsonProperty("protocols") List<String> protocols,
                     @JsonProperty("ciphers") List<String> ciphers) {
        if (certificates == null || certificates.isEmpty()) throw new IllegalArgumentException("certificates: at least one {cert, key} is required");
        for (int i = 0; i < certificates.size(); i++) {
            if (certificates.get(i) == null) throw new IllegalArgumentException("certificates[" + i + "]: is empty");
        }
        if (protocols == null) {
            protocols = DEFAULT_PROTOCOLS;
        } else if (protocols.isEmpty()) {
            throw new IllegalArgumentException("protocols: at least one of " + DEFAULT_PROTOCOLS + " is required");
        }
        for (int i = 0; i < protocols.size(); i++) {
            String p = protocols.get(i);
            // TLS 1.1 and older are refused outright (RFC 8996), as HTTP/2 needs 1.2 at least anyway.
            if (!KNOWN_PROTOCOLS.contains(p)) throw new IllegalArgumentException("protocols[" + i + "]: expected TLSv1.3 or TLSv1.2, got \"" + p + "\"");
        }
        if (ciphers != null) {
            if (ciphers.isEmpty()) throw new IllegalArgumentException("ciphers: leave it out for the defaults, or name at least one");
            for (int i = 0; i < ciphers.size(); i++) {
                String c = ciphers.get(i);
                if (c == null || c.isBlank()) throw new IllegalArgumentException("ciphers[" + i + "]: is empty");
            }
        }
        this.certificates = List.copyOf(certificates);
        this.protocols = List.copyOf(protocols);
        this.ciphers = ciphers == null ? null : List.copyOf(ciphers);
    }
}
