package io.graygate.proxy;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;

/**
 * The headers of an upstream response, which remember that Netty's decoder dropped a Content-Length because the
 * response was also chunked (RFC 9112 §6.3 lets a recipient do so; a proxy must not trust such a response, as the
 * next parser may read the length instead). {@link #FACTORY} makes them for the upstream codec.
 */
final class UpstreamResponseHeaders extends DefaultHttpHeaders {

    static final HttpHeadersFactory FACTORY = new HttpHeadersFactory() {
        @Override
        public HttpHeaders newHeaders() {
            return new UpstreamResponseHeaders();
        }

        @Override
        public HttpHeaders newEmptyHeaders() {
            return new UpstreamResponseHeaders();
        }
    };

    private boolean lengthDroppedForChunked;

    /** Whether these headers had a Content-Length that the decoder dropped for Transfer-Encoding. */
    static boolean lengthDroppedForChunked(HttpHeaders h) {
        return h instanceof UpstreamResponseHeaders u && u.lengthDroppedForChunked;
    }

    @Override
    public HttpHeaders remove(String name) {
        noteRemoval(name);
        return super.remove(name);
    }

    @Override
    public HttpHeaders remove(CharSequence name) {
        noteRemoval(name);
        return super.remove(name);
    }

    private void noteRemoval(CharSequence name) {
        if (!lengthDroppedForChunked && HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name)
                && contains(HttpHeaderNames.CONTENT_LENGTH) && contains(HttpHeaderNames.TRANSFER_ENCODING)) {
            lengthDroppedForChunked = true;
        }
    }
}
