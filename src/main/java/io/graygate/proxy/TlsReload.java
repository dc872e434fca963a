package io.graygate.proxy;

import io.graygate.proxy.tls.ListenerTls;

import java.util.ArrayList;
import java.util.List;

/**
 * The TLS half of a configuration reload, loaded and checked but not yet in force: the listeners' new certificates,
 * and what of the listeners changed in a way that needs a restart (one line each, naming the field).
 */
public record TlsReload(List<Listener> listeners, List<String> needRestart) {

    /** One TLS listener's new certificates, and the listener as a URL ({@code https://0.0.0.0:443}). */
    public record Listener(String url, ListenerTls.Pending pending) {
    }

    public TlsReload {
        listeners = List.copyOf(listeners);
        needRestart = List.copyOf(needRestart);
    }

    /** Puts the new certificates in force for new connections; returns the URLs of the listeners whose certificates or settings changed. */
    public List<String> apply() {
        List<String> changed = new ArrayList<>();
        for (Listener l : listeners) if (l.pending().apply()) changed.add(l.url());
        return changed;
    }
}
