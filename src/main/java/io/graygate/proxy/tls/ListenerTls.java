package io.graygate.proxy.tls;

import io.graygate.config.ConfigException;
import io.graygate.config.HostPort;
import io.graygate.config.TlsConfig;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.handler.ssl.SniHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * TLS on one listener: the {@link CertificateSet} in force, read by each new connection from a volatile field, and
 * swapped whole when the files change or on {@link #reload}. Connections keep the context they started with, so
 * a swap drops none; a new set that fails to load is refused with a message and the old one stays.
 *
 * <p>A change on disk is taken only once the files have stayed the same for one look ({@link #poll} runs about
 * every second): a certificate and its key are seldom replaced in one step, and a pair caught half-written would
 * be refused for nothing.
 */
public final class ListenerTls {

    private static final Logger log = LoggerFactory.getLogger(ListenerTls.class);

    private final HostPort address;
    private final String at;
    private final TlsProvider provider;
    private volatile TlsConfig config;
    private volatile CertificateSet current;
    /** What the files looked like when last loaded or refused, and at the last look. Touched by the watcher and reloads, under this. */
    private List<Object> loadedStamp;
    private List<Object> seenStamp;

    private ListenerTls(HostPort address, String at, TlsProvider provider, TlsConfig config, CertificateSet set, List<Object> stamp) {
        this.address = address;
        this.at = at;
        this.provider = provider;
        this.config = config;
        this.current = set;
        this.loadedStamp = stamp;
        this.seenStamp = stamp;
    }

    /** Loads the listener's certificates; throws a {@link ConfigException} naming the YAML path ({@code at}) of a bad one. */
    public static ListenerTls load(HostPort address, String at, TlsConfig config, TlsProvider provider) {
        List<Object> stamp = stamp(config);
        CertificateSet set = CertificateSet.load(config, at, provider);
        ListenerTls tls = new ListenerTls(address, at, provider, config, set, stamp);
        tls.warnAboutValidity(set);
        return tls;
    }

    public TlsProvider provider() {
        return provider;
    }

    /** The first handler of a new connection: a plain SslHandler with one certificate, an SniHandler choosing among several. */
    public ChannelHandler newHandler(ByteBufAllocator alloc) {
        CertificateSet set = current;
        if (set.certificates.size() == 1) return set.defaultContext().newHandler(alloc);
        return new SniHandler(set.byHostName);
    }

    /** The certificates in force, one line each: names and end of validity. */
    public List<String> describe() {
        return current.certificates.stream().map(CertificateSet.Loaded::describe).toList();
    }

    /** Re-reads the files now; returns whether anything changed. Throws a {@link ConfigException}, keeping the old set, on a bad file. */
    public synchronized boolean reload() {
        return prepare(config).apply();
    }

    /**
     * Loads new TLS settings (a configuration reload, or the same ones re-read) without putting them in force;
     * throws a {@link ConfigException} naming the bad file, and then nothing changes. {@link Pending#apply} swaps.
     */
    public synchronized Pending prepare(TlsConfig next) {
        List<Object> stamp = stamp(next);
        try {
            return new Pending(next, CertificateSet.load(next, at, provider), stamp);
        } catch (ConfigException e) {
            if (next.equals(config)) { // the files in force, refused: not retried until they change again
                loadedStamp = stamp;
                seenStamp = stamp;
            }
            throw e;
        }
    }

    /** Certificates loaded and checked, ready to be put in force. */
    public final class Pending {
        private final TlsConfig next;
        private final CertificateSet set;
        private final List<Object> stamp;

        private Pending(TlsConfig next, CertificateSet set, List<Object> stamp) {
            this.next = next;
            this.set = set;
            this.stamp = stamp;
        }

        /** Puts them in force for new connections; returns false, changing nothing, when files and settings are as in force. */
        public boolean apply() {
            synchronized (ListenerTls.this) {
                loadedStamp = stamp;
                seenStamp = stamp;
                if (next.equals(config) && current.sameBytes(set.fileBytes)) return false;
                config = next;
                current = set;
                warnAboutValidity(set);
                log.info("listener {}: certificates reloaded: {}", address, String.join("; ", describe()));
                return true;
            }
        }
    }

    /** One look at the files (the watcher's tick): reloads once a change has held still for one look, logs a refusal once. */
    synchronized void poll() {
        List<Object> stamp = stamp(config);
        if (stamp.equals(loadedStamp)) {
            seenStamp = stamp;
            return;
        }
        if (!stamp.equals(seenStamp)) { // still changing, or just changed: look again next time
            seenStamp = stamp;
            return;
        }
        try {
            reload();
        } catch (ConfigException e) {
            log.error("listener {}: new certificate refused, the one in force stays: {}", address, e.getMessage());
        }
    }

    private void warnAboutValidity(CertificateSet set) {
        Instant now = Instant.now();
        for (CertificateSet.Loaded l : set.certificates) {
            if (l.notAfter().isBefore(now)) log.warn("listener {}: certificate for {} expired on {}; serving it anyway, as nginx would", address, l.names(), l.notAfter());
        }
    }

    /** Modification time, size and file identity (inode) of every file, links followed: a rename over a file or a symlink swap changes it. */
    private static List<Object> stamp(TlsConfig config) {
        List<Object> stamp = new ArrayList<>();
        for (Path p : CertificateSet.files(config)) {
            try {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                stamp.add(List.of(a.lastModifiedTime(), a.size(), Objects.requireNonNullElse(a.fileKey(), "")));
            } catch (IOException e) {
                stamp.add(e.getClass().getSimpleName());
            }
        }
        return stamp;
    }

    @Override
    public String toString() {
        return address + " (" + at + ")";
    }
}
