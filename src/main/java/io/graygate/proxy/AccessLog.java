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
     * @param upstreamNanos from the first upstream try to the end of the upstream's response; -1 when none was tried
     * @param bytesIn  request body bytes read from the client
     * @param bytesOut response body bytes passed from the upstream to the client
     * @param upstreamUri the target sent upstream when a path rewrite changed it, else null
     * @param traceparent the request's W3C traceparent header, or null
     */
    void record(String route, String version, String rule, String earlierTries, UpstreamServer server, int status, long durationNanos,
                long upstreamNanos, long bytesIn, long bytesOut, String client, HttpMethod method, String uri, String upstreamUri,
                String traceparent);

    /** Writes what is queued and stops. */
    @Override
    void close();

    static AccessLog off() {
        return Off.INSTANCE;
    }

    static AccessLog async(int capacity, Format format) {
        return new AsyncAccessLog(capacity, format);
    }

    /** {@code proxy.accessLogFormat}: key=value text (the default), or one JSON object per line. */
    enum Format {
        TEXT, JSON
    }

    /** The stand-in for a disabled access log. */
    enum Off implements AccessLog {
        INSTANCE;

        @Override
        public void record(String route, String version, String rule, String earlierTries, UpstreamServer server, int status, long durationNanos,
                           long upstreamNanos, long bytesIn, long bytesOut, String client, HttpMethod method, String uri, String upstreamUri,
                           String traceparent) {
        }

        @Override
        public void close() {
        }
    }
}
