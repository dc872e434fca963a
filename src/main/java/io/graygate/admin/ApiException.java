package io.graygate.admin;

import io.netty.handler.codec.http.HttpResponseStatus;

import java.util.Map;

/** An admin API failure carrying the HTTP status to answer and a short message meant for the caller. */
public final class ApiException extends RuntimeException {

    private final HttpResponseStatus status;
    private final Map<String, String> headers;

    private ApiException(HttpResponseStatus status, String message, Map<String, String> headers) {
        super(message, null, false, false); // an expected outcome, not a bug: no stack trace to fill in
        this.status = status;
        this.headers = Map.copyOf(headers);
    }

    public static ApiException of(HttpResponseStatus status, String message) {
        return new ApiException(status, message, Map.of());
    }

    public static ApiException badRequest(String message) {
        return of(HttpResponseStatus.BAD_REQUEST, message);
    }

    public static ApiException notFound(String message) {
        return of(HttpResponseStatus.NOT_FOUND, message);
    }

    static ApiException methodNotAllowed(String method, String path, String allow) {
        return new ApiException(HttpResponseStatus.METHOD_NOT_ALLOWED, method + " is not allowed on " + path + "; allowed: " + allow,
                Map.of("allow", allow));
    }

    static ApiException unauthorized(String message) {
        return new ApiException(HttpResponseStatus.UNAUTHORIZED, message, Map.of("www-authenticate", "Bearer realm=\"graygate\""));
    }

    public HttpResponseStatus status() {
        return status;
    }

    /** Headers the response must carry with this status, such as Allow for 405. */
    public Map<String, String> headers() {
        return headers;
    }
}
