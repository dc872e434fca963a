package io.graygate.proxy;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether one server should get requests, with nginx's passive semantics: {@code maxFails} failures within
 * {@code failTimeout} take it out for {@code failTimeout}; then one request (the probe) is let through, and its
 * success brings the server back while its failure keeps it out for another {@code failTimeout}. Active health
 * checks, when configured, add a verdict of their own. Every event loop reads and writes it, so it is atomics only:
 * the request path takes no lock. Each change of state is logged once.
 */
final class ServerHealth {

    private static final Logger log = LoggerFactory.getLogger(ServerHealth.class);
    private static final long UP = Long.MIN_VALUE;

    private final String name;
    private final int maxFails;
    private final long failTimeoutNanos;
    private final AtomicInteger fails = new AtomicInteger();
    private volatile long windowStart;
    /** While out: the time the next probe may go; {@link #UP} otherwise. */
    private final AtomicLong outUntil = new AtomicLong(UP);
    private final AtomicBoolean reportedDown = new AtomicBoolean();
    /** When the server was last taken out: an answer to a request begun before then says nothing about it now. */
    private volatile long outSince;
    private volatile boolean checkFailing;

    /** @param name how logs name the server, e.g. {@code 10.0.0.1:8080 "production"} */
    ServerHealth(String name, int maxFails, long failTimeoutNanos) {
        this.name = name;
        this.maxFails = maxFails;
        this.failTimeoutNanos = failTimeoutNanos;
    }

    /** Neither marked down by failures nor failing its health checks. */
    boolean isUp() {
        return outUntil.get() == UP && !checkFailing;
    }

    /** Out after failures, but its time is up: the next request may probe it (see {@link #claimProbe}). */
    boolean isProbeDue(long now) {
        long until = outUntil.get();
        return until != UP && now - until >= 0 && !checkFailing;
    }

    /** Takes the one probe of this window; false when another event loop took it first. */
    boolean claimProbe(long now) {
        long until = outUntil.get();
        return until != UP && now - until >= 0 && outUntil.compareAndSet(until, now + failTimeoutNanos);
    }

    /** A connect failed, or the server broke off or timed out before its response. */
    void failed(long now, String why) {
        if (maxFails == 0) {
            if (reportedDown.compareAndSet(false, true)) log.warn("upstream failing: {}: {} (maxFails 0: never taken out)", name, why);
            return;
        }
        if (now - windowStart > failTimeoutNanos) {
            windowStart = now;
            fails.set(0);
        }
        if (fails.incrementAndGet() >= maxFails) {
            if (outUntil.get() == UP) outSince = now;
            outUntil.set(now + failTimeoutNanos);
            if (reportedDown.compareAndSet(false, true)) {
                log.warn("upstream down: {}: {}; taken out for {} ms", name, why, failTimeoutNanos / 1_000_000);
            }
        }
    }

    /**
     * The server answered a request begun at {@code startedNanos}: it is back if it was out, unless that request began
     * before it was taken out (a response already on its way from a connection made earlier, while other event loops
     * saw the server fail). Cheap when nothing changes: two reads.
     */
    void succeeded(long startedNanos) {
        if (outUntil.get() == UP && fails.get() == 0 && !reportedDown.get()) return;
        if (outUntil.get() != UP && startedNanos - outSince < 0) return;
        fails.set(0);
        outUntil.set(UP);
        if (reportedDown.compareAndSet(true, false)) log.info("upstream up again: {}", name);
    }

    /** The verdict of the active health checks; logged when it changes. */
    void checked(boolean passing, String detail) {
        if (passing == !checkFailing) return;
        checkFailing = !passing;
        if (passing) {
            log.info("upstream healthy again: {}: {}", name, detail);
        } else {
            log.warn("upstream unhealthy: {}: {}; out until its checks pass", name, detail);
        }
    }

    /** maxFails and failTimeout, for telling whether a reload changed them. */
    String settings() {
        return maxFails + "/" + failTimeoutNanos;
    }

    boolean checkFailing() {
        return checkFailing;
    }
}
