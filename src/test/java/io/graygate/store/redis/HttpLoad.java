package io.graygate.store.redis;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Client requests in a loop, round the given proxies, counting the answers that came from an upstream
 * ("production" or "gray", status 200) and everything else: an error status, a reset, a timeout.
 */
final class HttpLoad implements AutoCloseable {

    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    private volatile String lastFailure = "none";

    HttpLoad(List<URI> proxies) {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
        thread = new Thread(() -> {
            for (int i = 0; running.get(); i++) {
                URI target = proxies.get(i % proxies.size()).resolve("/load");
                try {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(5)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200 && (r.body().equals("production") || r.body().equals("gray"))) {
                        ok.incrementAndGet();
                    } else {
                        lastFailure = target + ": " + r.statusCode() + " " + r.body();
                        failed.incrementAndGet();
                    }
                } catch (Exception e) {
                    lastFailure = target + ": " + e;
                    failed.incrementAndGet();
                }
            }
        }, "client-load");
        thread.start();
    }

    long ok() {
        return ok.get();
    }

    long failed() {
        return failed.get();
    }

    String lastFailure() {
        return lastFailure;
    }

    @Override
    public void close() {
        running.set(false);
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
