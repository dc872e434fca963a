package io.graygate.testing;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An upstream that answers its name and can be told to misbehave while it runs: fail an even share of its requests
 * with 500, or answer late. It counts every request it receives, the figure a test trusts over any of graygate's.
 */
public final class ControlledUpstream implements AutoCloseable {

    private final String name;
    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(8);
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile double failRatio;
    private volatile long delayMillis;

    private ControlledUpstream(String name) {
        this.name = name;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(threads);
        server.createContext("/", exchange -> {
            long n = received.incrementAndGet();
            double r = failRatio;
            boolean fail = Math.floor(n * r) > Math.floor((n - 1) * r);
            long delay = delayMillis;
            try {
                if (delay > 0) Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (fail) failed.incrementAndGet();
            byte[] body = (fail ? "failing" : name).getBytes(StandardCharsets.UTF_8);
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(fail ? 500 : 200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    public static ControlledUpstream start(String name) {
        return new ControlledUpstream(name);
    }

    public String hostPort() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /** Requests received so far. */
    public long received() {
        return received.get();
    }

    /** Requests answered with 500 on purpose so far. */
    public long failed() {
        return failed.get();
    }

    /** From now on, fail this share of requests (0 to 1), spread evenly. */
    public void failRatio(double ratio) {
        failRatio = ratio;
    }

    /** From now on, answer every request this much later. */
    public void delayMillis(long ms) {
        delayMillis = ms;
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
