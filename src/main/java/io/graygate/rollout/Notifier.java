package io.graygate.rollout;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Posts rollout events to their webhooks, off the caller's thread: {@link #send} only queues. The queue is bounded
 * and drops its oldest call when full; each call has a timeout and a few tries; a webhook that keeps failing is
 * logged once until it answers again. So a dead or slow webhook never delays a step.
 */
public final class Notifier implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Notifier.class);

    private record Call(URI to, String json) {
    }

    private final int capacity;
    private final int tries;
    private final Duration timeout;
    private final Deque<Call> queue = new ArrayDeque<>();
    private final HttpClient http;
    private final Thread sender;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private URI failing;
    private volatile boolean closed;

    public Notifier() {
        this(100, 3, Duration.ofSeconds(2));
    }

    public Notifier(int capacity, int tries, Duration timeout) {
        this.capacity = capacity;
        this.tries = tries;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
        this.sender = new Thread(this::run, "graygate-rollout-webhook");
        sender.setDaemon(true);
        sender.start();
    }

    /** Queues a POST of {@code json} to {@code to}; never blocks. */
    public void send(URI to, String json) {
        synchronized (queue) {
            if (queue.size() >= capacity) {
                queue.pollFirst();
                if (dropped.incrementAndGet() == 1 || dropped.get() % 100 == 0) {
                    log.warn("rollout webhook queue full ({} calls): dropped the oldest ({} dropped so far)", capacity, dropped.get());
                }
            }
            queue.addLast(new Call(to, json));
            queue.notifyAll();
        }
    }

    /** Calls dropped because the queue was full. */
    public long dropped() {
        return dropped.get();
    }

    /** Calls that reached their webhook (a 2xx answer). */
    public long delivered() {
        return delivered.get();
    }

    private void run() {
        while (!closed) {
            Call next;
            synchronized (queue) {
                while (queue.isEmpty() && !closed) {
                    try {
                        queue.wait(500);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) return;
                next = queue.pollFirst();
            }
            deliver(next);
        }
    }

    private void deliver(Call call) {
        String problem = null;
        for (int attempt = 1; attempt <= tries && !closed; attempt++) {
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(call.to()).timeout(timeout).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(call.json())).build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() / 100 == 2) {
                    delivered.incrementAndGet();
                    if (call.to().equals(failing)) {
                        log.info("rollout webhook {} answers again", call.to());
                        failing = null;
                    }
                    return;
                }
                problem = "status " + r.statusCode();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                problem = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            }
            try {
                Thread.sleep(250L * attempt);
            } catch (InterruptedException e) {
                return;
            }
        }
        if (!call.to().equals(failing)) {
            log.warn("rollout webhook {} failed after {} tries ({}); the event was dropped, later ones are still sent", call.to(), tries, problem);
            failing = call.to();
        }
    }

    @Override
    public void close() {
        closed = true;
        synchronized (queue) {
            queue.notifyAll();
        }
        sender.interrupt();
    }
}
