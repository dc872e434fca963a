package io.graygate.proxy;

import io.netty.handler.codec.http.HttpMethod;

/**
 * Where finished requests are recorded, one line each: {@link #async} hands a small record to a background thread
 * that formats and writes it to the SLF4J logger {@code graygate.access}; {@link #off} records nothing.
 */
interface AccessLog extends AutoCloseable {

    /**
     * Records one request. Called on an event loop: implementations neither format, nor block, nor do I/O here.
     *
     * @param route    the route's name, or null when no route matched
     * @param version  the chosen version, or null when none was chosen
     * @param rule     the rule that chose it ({@code (override)}, {@code (baseline)} or a rule's name), or null
     * @param earlierTries the servers tried before {@code server} and how each failed, "10.0.0.1:80(refused)", or null
     * @param server   the upstream server that was used last, or null
     * @param status   the status sent to the client (499: the client went away first)
     * @param upstreamUri the target sent upstream when a path rewrite changed it, else null
     */
    void record(String route, String version, String rule, String earlierTries, UpstreamServer server, int status, long durationNanos,
                String client, HttpMethod method, String uri, String upstreamUri);

    /** Writes what is queued and stops. */
    @Override
    void close();

    static AccessLog off() {
        return Off.INSTANCE;
    }

    static AccessLog async(int capacity) {
        return new AsyncAccessLog(capacity);
    }

    /** The stand-in for a disabled access log. */
    enum Off implements AccessLog {
        INSTANCE;

        @Override
        public void record(String route, String version, String rule, String earlierTries, UpstreamServer server, int status, long durationNanos,
                           String client, HttpMethod method, String uri, String upstreamUri) {
        }

        @Override
        public void close() {
        }
    }
}
