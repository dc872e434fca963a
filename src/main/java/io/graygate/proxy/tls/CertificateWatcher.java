package io.graygate.proxy.tls;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Looks at the certificate files of every TLS listener about once a second, on a thread of its own (never an event loop). */
public final class CertificateWatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CertificateWatcher.class);

    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "graygate-cert-watch");
        t.setDaemon(true);
        return t;
    });

    public CertificateWatcher(List<ListenerTls> listeners, long periodMillis) {
        thread.scheduleWithFixedDelay(() -> {
            for (ListenerTls l : listeners) {
                try {
                    l.poll();
                } catch (RuntimeException e) { // a surprise must not end the watching (a scheduled task that throws is never run again)
                    log.error("certificate watch of {} failed", l, e);
                }
            }
        }, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
