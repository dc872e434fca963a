package io.graygate.proxy.tls;

import io.graygate.config.CertificateConfig;
import io.graygate.config.ConfigException;
import io.graygate.config.TlsConfig;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.util.DomainWildcardMappingBuilder;
import io.netty.util.Mapping;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The certificates of one TLS listener, compiled: one SslContext per certificate and the SNI table from host name
 * to context (wildcards included; the first certificate is the default, and when two carry a name the first listed
 * wins). Immutable; a reload builds a new one from the files' bytes, which it keeps to tell a real change from a touch.
 */
final class CertificateSet {

    /** ALPN: HTTP/2 first, then HTTP/1.1; a client that offers neither is served HTTP/1.1. */
    static final ApplicationProtocolConfig ALPN = new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
            ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1);

    /** One certificate as loaded: its names, its context, the end of its validity. */
    record Loaded(List<String> names, SslContext context, Instant notAfter) {
        String describe() {
            return (names.isEmpty() ? "(no DNS name)" : String.join(", ", names)) + " until " + notAfter;
        }
    }

    final List<Loaded> certificates;
    final Mapping<String, SslContext> byHostName;
    final List<byte[]> fileBytes;

    private CertificateSet(List<Loaded> certificates, Mapping<String, SslContext> byHostName, List<byte[]> fileBytes) {
        this.certificates = certificates;
        this.byHostName = byHostName;
        this.fileBytes = fileBytes;
    }

    SslContext defaultContext() {
        return certificates.get(0).context();
    }

    /** Whether the files held exactly these bytes when this set was built. */
    boolean sameBytes(List<byte[]> bytes) {
        if (bytes.size() != fileBytes.size()) return false;
        for (int i = 0; i < bytes.size(); i++) if (!Arrays.equals(bytes.get(i), fileBytes.get(i))) return false;
        return true;
    }

    /** The files of {@code tls}, cert then key for each certificate, in order. */
    static List<Path> files(TlsConfig tls) {
        List<Path> files = new ArrayList<>();
        for (CertificateConfig c : tls.certificates()) {
            files.add(c.cert());
            files.add(c.key());
        }
        return files;
    }

    /**
     * Reads and checks every file of {@code tls} and builds the contexts; throws a {@link ConfigException} naming
     * the YAML path ({@code at} is the listener's "listeners[N].tls") and the file of the first problem.
     */
    static CertificateSet load(TlsConfig tls, String at, TlsProvider provider) {
        List<Loaded> loaded = new ArrayList<>();
        List<byte[]> bytes = new ArrayList<>();
        for (int i = 0; i < tls.certificates().size(); i++) {
            CertificateConfig c = tls.certificates().get(i);
            String where = at + ".certificates[" + i + "]";
            byte[] certPem = read(where + ".cert", c.cert());
            byte[] keyPem = read(where + ".key", c.key());
            bytes.add(certPem);
            bytes.add(keyPem);
            X509Certificate[] chain = parse(where + ".cert", c.cert(), () -> PemFiles.chain(certPem));
            PrivateKey key = parse(where + ".key", c.key(), () -> PemFiles.privateKey(keyPem));
            parse(where + ".key", c.key(), () -> {
                PemFiles.checkPair(key, chain[0]);
                return null;
            });
            SslContext context = build(tls, at, provider, chain, key);
            loaded.add(new Loaded(names(chain[0]), context, chain[0].getNotAfter().toInstant()));
        }
        DomainWildcardMappingBuilder<SslContext> sni = new DomainWildcardMappingBuilder<>(loaded.get(0).context());
        Set<String> taken = new HashSet<>();
        for (Loaded l : loaded) {
            for (String name : l.names()) if (taken.add(name)) sni.add(name, l.context());
        }
        return new CertificateSet(List.copyOf(loaded), sni.build(), List.copyOf(bytes));
    }

    private static SslContext build(TlsConfig tls, String at, TlsProvider provider, X509Certificate[] chain, PrivateKey key) {
        List<String> wanted = tls.ciphers() == null ? Http2SecurityUtil.CIPHERS : tls.ciphers();
        SslContext context;
        try {
            context = SslContextBuilder.forServer(key, chain)
                    .sslProvider(provider.provider())
                    .protocols(tls.protocols())
                    .ciphers(wanted, SupportedCipherSuiteFilter.INSTANCE)
                    .applicationProtocolConfig(ALPN)
                    .build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new ConfigException(at + ": cannot build a TLS context with " + provider.description() + ": " + e.getMessage());
        }
        if (tls.ciphers() != null) {
            Set<String> supported = new HashSet<>(context.cipherSuites());
            for (int i = 0; i < wanted.size(); i++) {
                if (!supported.contains(wanted.get(i))) {
                    throw new ConfigException(at + ".ciphers[" + i + "]: \"" + wanted.get(i) + "\" is not supported by " + provider.description());
                }
            }
        }
        return context;
    }

    /** The DNS names a certificate serves: its subjectAltName DNS entries, else its subject's CN (lower case). */
    static List<String> names(X509Certificate cert) {
        Set<String> names = new LinkedHashSet<>();
        try {
            if (cert.getSubjectAlternativeNames() != null) {
                for (List<?> san : cert.getSubjectAlternativeNames()) {
                    if (Integer.valueOf(2).equals(san.get(0))) names.add(san.get(1).toString().toLowerCase(Locale.ROOT));
                }
            }
        } catch (CertificateParsingException e) {
            // an unreadable extension: fall back to the CN
        }
        if (names.isEmpty()) {
            String dn = cert.getSubjectX500Principal().getName();
            for (String part : dn.split(",")) {
                if (part.startsWith("CN=")) names.add(part.substring(3).toLowerCase(Locale.ROOT));
            }
        }
        return List.copyOf(names);
    }

    private static byte[] read(String field, Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(field + ": " + file + ": no such file");
        } catch (IOException e) {
            throw new ConfigException(field + ": " + file + ": cannot read: " + e.getMessage());
        }
    }

    private static <T> T parse(String field, Path file, Supplier<T> parse) {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            throw new ConfigException(field + ": " + file + ": " + e.getMessage());
        }
    }
}
