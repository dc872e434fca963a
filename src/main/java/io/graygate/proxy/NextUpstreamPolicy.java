package io.graygate.proxy;

import io.graygate.config.NextUpstream;
import io.netty.handler.codec.http.HttpMethod;

/**
 * Whether a request whose try failed goes on to the next server of its group (nginx's {@code proxy_next_upstream}).
 * A failed connect sent nothing, so any request may go on; a server that broke off or timed out before its response
 * may have processed the request, so only an idempotent request without a body goes on, and never an upgrade.
 */
final class NextUpstreamPolicy {

    /** How a try failed, with the short word the access log shows for it. */
    enum Failure {
        CONNECT_FAILED("refused"),
        CONNECT_TIMEOUT("connect-timeout"),
        BROKE_OFF("closed"),
        RESPONSE_TIMEOUT("timeout");

        final String word;

        Failure(String word) {
            this.word = word;
        }
    }

    private NextUpstreamPolicy() {
    }

    static boolean allows(NextUpstream policy, Failure failure, HttpMethod method, boolean hasBody, boolean upgrade) {
        return switch (failure) {
            case CONNECT_FAILED -> policy.onError();
            case CONNECT_TIMEOUT -> policy.onTimeout();
            case BROKE_OFF -> policy.onError() && resendable(method, hasBody, upgrade);
            case RESPONSE_TIMEOUT -> policy.onTimeout() && resendable(method, hasBody, upgrade);
        };
    }

    /** A request that may be sent again although a server may have processed it. */
    static boolean resendable(HttpMethod method, boolean hasBody, boolean upgrade) {
        return !hasBody && !upgrade && isIdempotent(method);
    }

    static boolean isIdempotent(HttpMethod m) {
        return HttpMethod.GET.equals(m) || HttpMethod.HEAD.equals(m) || HttpMethod.OPTIONS.equals(m)
                || HttpMethod.PUT.equals(m) || HttpMethod.DELETE.equals(m) || HttpMethod.TRACE.equals(m);
    }
}
