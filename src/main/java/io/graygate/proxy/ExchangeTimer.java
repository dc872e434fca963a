package io.graygate.proxy;

/**
 * The timeouts of one client connection, as decisions: given what the connection waits for and since when, which
 * side is to blame and whether its time is up. A connection has one timer that asks {@link #check} each time it
 * fires and is re-armed after {@link #nextDelay}, so that a request costs no timer of its own.
 *
 * <ul>
 *   <li>no request: the connection closes after idleTimeout; but once a request head has begun, the client has
 *       requestHeaderTimeout from its first byte to finish it, then gets 408 (slowloris);</li>
 *   <li>the request body is still due and the gateway is reading it: requestBodyTimeout with no body byte is the
 *       client's fault, 408, whatever the upstream does meanwhile (an upstream waits for the body it was promised,
 *       as after {@code Expect: 100-continue});</li>
 *   <li>else the exchange waits on the upstream: responseTimeout with no byte moving either way, 504.</li>
 * </ul>
 */
final class ExchangeTimer {

    /** What the connection is waiting for when the timer fires. */
    enum Waiting {
        /** Between requests, nothing of the next one read yet. */
        IDLE,
        /** Part of a request head has arrived. */
        REQUEST_HEAD,
        /** The request body is due and the client is being read. */
        REQUEST_BODY,
        /** The upstream: to take the body (back-pressure), or to answer. */
        UPSTREAM,
        /** Nothing this timer answers for (an upstream connection being opened: the connect timeout rules). */
        NOTHING
    }

    enum Verdict { WAIT, CLOSE_IDLE, REQUEST_HEAD_TIMEOUT, REQUEST_BODY_TIMEOUT, RESPONSE_TIMEOUT }

    private final long idleNanos;
    private final long headerNanos;
    private final long bodyNanos;
    private final long responseNanos;
    private final long shortest;
    private long nextDelay;

    ExchangeTimer(long idleNanos, long headerNanos, long bodyNanos, long responseNanos) {
        this.idleNanos = idleNanos;
        this.headerNanos = headerNanos;
        this.bodyNanos = bodyNanos;
        this.responseNanos = responseNanos;
        this.shortest = Math.min(Math.min(idleNanos, headerNanos), Math.min(bodyNanos, responseNanos));
    }

    /**
     * The verdict for a connection waiting on {@code waiting} since {@code since} (the idle start, the head's first
     * byte, the last body byte, or the last byte moved to or from the upstream). With WAIT, {@link #nextDelay} says
     * when to look again.
     */
    Verdict check(Waiting waiting, long since, long now) {
        long elapsed = now - since;
        long limit;
        Verdict verdict;
        switch (waiting) {
            case IDLE -> { limit = idleNanos; verdict = Verdict.CLOSE_IDLE; }
            case REQUEST_HEAD -> { limit = headerNanos; verdict = Verdict.REQUEST_HEAD_TIMEOUT; }
            case REQUEST_BODY -> { limit = bodyNanos; verdict = Verdict.REQUEST_BODY_TIMEOUT; }
            case UPSTREAM -> { limit = responseNanos; verdict = Verdict.RESPONSE_TIMEOUT; }
            default -> { limit = Long.MAX_VALUE; verdict = Verdict.WAIT; }
        }
        if (elapsed >= limit) return verdict;
        // Never later than the shortest timeout from now: what the connection waits for may change meanwhile.
        nextDelay = Math.min(limit - elapsed, shortest);
        return Verdict.WAIT;
    }

    /** After a WAIT: the delay until the timer should fire again. */
    long nextDelay() {
        return nextDelay;
    }

    /** The delay to arm the timer with when nothing is known yet (a connection opens, an exchange ends). */
    long shortest() {
        return shortest;
    }
}
