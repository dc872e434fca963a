package io.graygate.proxy;

import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;

import java.net.ConnectException;
import java.time.Duration;

/**
 * A request the proxy answers itself, with the status to send and a one-line message for the client, such as
 * {@code 502 Bad Gateway: route "demo" upstream "gray" (127.0.0.1:9002): connection refused}.
 * It carries no stack trace: it is a value handed to {@link ErrorResponses}, not a bug report.
 */
final class ProxyException extends RuntimeException {

    private final HttpResponseStatus status;

    ProxyException(HttpResponseStatus status, String detail) {
        super(status.code() + " " + status.reasonPhrase() + ": " + detail, null, false, false);
        this.status = status;
    }

    HttpResponseStatus status() {
        return status;
    }

    static ProxyException noRoute(String host, String path) {
        return new ProxyException(HttpResponseStatus.NOT_FOUND,
                "no route for host \"" + (host == null ? "" : host) + "\" and path \"" + path + "\"");
    }

    static ProxyException malformedRequest(Throwable cause) {
        if (cause instanceof ProxyException e) return e; // refused by the strict decoder, with its reason
        if (cause instanceof TooLongHttpLineException) {
            return new ProxyException(HttpResponseStatus.REQUEST_URI_TOO_LONG, "the request line is too long");
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return new ProxyException(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "the request headers are too large");
        }
        if (cause instanceof TooLongFrameException) {
            return new ProxyException(HttpResponseStatus.BAD_REQUEST, "a part of the request is too long");
        }
        return new ProxyException(HttpResponseStatus.BAD_REQUEST, "malformed request");
    }

    /** The client was too slow: it did not finish its request head, or stopped sending its body. */
    static ProxyException requestTimeout(String why) {
        return new ProxyException(HttpResponseStatus.REQUEST_TIMEOUT, why);
    }

    static ProxyException badPath(String path) {
        return new ProxyException(HttpResponseStatus.BAD_REQUEST, "the path \"" + path + "\" climbs above the root or is badly encoded");
    }

    static ProxyException methodNotAllowed(String method) {
        return new ProxyException(HttpResponseStatus.METHOD_NOT_ALLOWED, method + " is not proxied");
    }

    static ProxyException unknownUpstream(String route, String upstream) {
        return new ProxyException(HttpResponseStatus.BAD_GATEWAY,
                "route \"" + route + "\" upstream \"" + upstream + "\": no such upstream group");
    }

    /** The upstream could not be reached, or broke off before it answered. */
    static ProxyException badGateway(String route, UpstreamServer server, String why) {
        return new ProxyException(HttpResponseStatus.BAD_GATEWAY, where(route, server) + ": " + why);
    }

    static ProxyException gatewayTimeout(String route, UpstreamServer server, Duration timeout) {
        return new ProxyException(HttpResponseStatus.GATEWAY_TIMEOUT,
                where(route, server) + ": no response within " + timeout.toMillis() + " ms");
    }

    private static String where(String route, UpstreamServer server) {
        return "route \"" + route + "\" upstream \"" + server.group() + "\" (" + server + ")";
    }

    /** A short, lower-case reason for a failed connect: no class names, no stack trace. */
    static String describeConnectFailure(Throwable cause, Duration connectTimeout) {
        if (cause instanceof io.netty.channel.ConnectTimeoutException) {
            return "connect timed out after " + connectTimeout.toMillis() + " ms";
        }
        String message = cause.getMessage() == null ? "" : cause.getMessage();
        if (message.contains("refused")) return "connection refused";
        if (message.contains("unreachable")) return "network unreachable";
        if (cause instanceof ConnectException) return "cannot connect";
        return "cannot connect (" + cause.getClass().getSimpleName() + ")";
    }
}
