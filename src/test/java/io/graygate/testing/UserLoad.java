package io.graygate.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Steady client traffic through one or more proxies, as many users (each with its own {@code uid} cookie) would send
 * it, a few milliseconds apart; counts the answers by the version that gave them (the X-Graygate-Version header) and
 * the failures (an error status, a refused connection to a node that is gone).
 */
public final class UserLoad implements AutoCloseable {

    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final ConcurrentHashMap<String, AtomicLong> byVersion = new ConcurrentHashMap<>();
    private final Thread[] threads;

    /** @param proxies the proxies to send to, asked again before every request (nodes come and go) */
    public UserLoad(Supplier<List<URI>> proxies, int users, int threadCount, long pauseMillis) {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
        threads = new Thread[threadCount];
        for (int t = 0; t < threadCount; t++) {
            int offset = t;
            threads[t] = new Thread(() -> {
                for (long i = offset; running.get(); i += threadCount) {
                    List<URI> targets = proxies.get();
                    if (!targets.isEmpty()) {
                        URI target = targets.get((int) (i % targets.size())).resolve("/load");
                        try {
                            HttpResponse<String> r = http.send(HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(5))
                                    .header("Cookie", "uid=user" + (i % users)).build(), HttpResponse.BodyHandlers.ofString());
                            sent.incrementAndGet();
                            if (r.statusCode() != 200) failed.incrementAndGet();
                            r.headers().firstValue("x-graygate-version").ifPresent(v -> byVersion.computeIfAbsent(v, k -> new AtomicLong()).incrementAndGet());
                        } catch (Exception e) {
                            failed.incrementAndGet();
                        }
                    }
                    try {
                        Thread.sleep(pauseMillis);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "user-load-" + t);
            threads[t].setDaemon(true);
            threads[t].start();
        }
    }

    public long sent() {
        return sent.get();
    }

    public long failed() {
        return failed.get();
    }

    /** Answers that came from {@code version}. */
    public long answeredBy(String version) {
        AtomicLong n = byVersion.get(version);
        return n == null ? 0 : n.get();
    }

    @Override
    public void close() {
        running.set(false);
        for (Thread t : threads) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
