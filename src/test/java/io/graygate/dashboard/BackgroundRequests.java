package io.graygate.dashboard;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntConsumer;

/**
 * Client traffic while a test looks at the page: {@code request.accept(i)} for i = 0, 1, 2, ... one after another on
 * a thread of its own, {@code pauseMillis} apart, until {@link #close()} stops it and waits for the last one.
 */
final class BackgroundRequests implements AutoCloseable {

    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    private BackgroundRequests(IntConsumer request, long pauseMillis) {
        thread = new Thread(() -> {
            for (int i = 0; running.get(); i++) {
                request.accept(i);
                if (pauseMillis > 0) {
                    try {
                        Thread.sleep(pauseMillis); // pacing the load, not waiting for a condition
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }, "dashboard-traffic");
        thread.setDaemon(true);
        thread.start();
    }

    static BackgroundRequests start(IntConsumer request, long pauseMillis) {
        return new BackgroundRequests(request, pauseMillis);
    }

    @Override
    public void close() {
        running.set(false);
        try {
            thread.join(15_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
