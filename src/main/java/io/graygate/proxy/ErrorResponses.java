package io.graygate.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;

/** The one place that turns a {@link ProxyException} into a response: its status and its message as one plain line. */
final class ErrorResponses {

    private static final AsciiString TEXT_PLAIN = AsciiString.cached("text/plain; charset=utf-8");
    private static final AsciiString X_CONTENT_TYPE_OPTIONS = AsciiString.cached("x-content-type-options");
    private static final AsciiString NOSNIFF = AsciiString.cached("nosniff");

    private ErrorResponses() {
    }

    /**
     * @param version the decision's version for the X-Graygate-Version header, or null for none
     * @param close   whether the connection closes after this response
     */
    static FullHttpResponse render(ByteBufAllocator alloc, ProxyException e, String version, boolean close) {
        String text = e.getMessage() + "\n";
        ByteBuf body = ByteBufUtil.writeUtf8(alloc, text);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, e.status(), body);
        HttpHeaders h = response.headers();
        h.set(HttpHeaderNames.CONTENT_TYPE, TEXT_PLAIN);
        h.set(X_CONTENT_TYPE_OPTIONS, NOSNIFF);
        h.setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        if (version != null) h.set(ForwardingHeaders.X_GRAYGATE_VERSION, version);
        if (close) h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return response;
    }
}
