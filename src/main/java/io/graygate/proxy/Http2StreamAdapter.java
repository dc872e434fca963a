package io.graygate.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.ReferenceCountUtil;

import java.util.ArrayList;
import java.util.List;

/**
 * Makes an HTTP/2 stream look to {@link ClientConnection} like an HTTP/1.1 connection carrying one request, so
 * that the exchange code is the same for both protocols. Netty's message codec differs from the HTTP/1.1 one in
 * three ways this evens out:
 * <ul>
 *   <li>a request without a body arrives as one FullHttpRequest: passed on as its head and its LastHttpContent, as
 *       the HTTP/1.1 decoder does; the codec's own x-http2-* headers are dropped so they never reach an upstream,
 *       and :authority with an equal Host is one Host, so the exchange validates it as an HTTP/1.1 Host;</li>
 *   <li>an interim response (100 Continue, 103) must be written as one FullHttpResponse: the head and the empty
 *       LastHttpContent after it are joined;</li>
 *   <li>an empty buffer is how {@link CloseOnFlush} asks to close once the writes before it have gone: a stream
 *       channel takes frames only, so it is held here and completed by the next flush.</li>
 * </ul>
 */
final class Http2StreamAdapter extends ChannelDuplexHandler {

    static final String NAME = "h2-adapter";

    private HttpResponse interim;
    private List<ChannelPromise> flushed;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HttpRequest request)) {
            ctx.fireChannelRead(msg);
            return;
        }
        request.headers().remove(HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text());
        request.headers().remove(HttpConversionUtil.ExtensionHeaderNames.SCHEME.text());
        oneHost(request.headers());
        if (!(msg instanceof FullHttpRequest full)) {
            ctx.fireChannelRead(msg);
            return;
        }
        ctx.fireChannelRead(new DefaultHttpRequest(full.protocolVersion(), full.method(), full.uri(), full.headers()));
        ByteBuf body = full.content();
        if (body.isReadable() || !full.trailingHeaders().isEmpty()) {
            ctx.fireChannelRead(new DefaultLastHttpContent(body, full.trailingHeaders()));
        } else {
            body.release();
            ctx.fireChannelRead(LastHttpContent.EMPTY_LAST_CONTENT);
        }
    }

    /**
     * :authority arrives as Host, beside any Host the client also sent: the same value twice is one Host (RFC 9113
     * §8.3.1 allows both when they agree); differing values stay two, which {@link RequestTarget} refuses.
     */
    private static void oneHost(HttpHeaders h) {
        List<String> hosts = h.getAll(HttpHeaderNames.HOST);
        if (hosts.size() < 2) return;
        for (String host : hosts) if (!host.equalsIgnoreCase(hosts.get(0))) return;
        h.set(HttpHeaderNames.HOST, hosts.get(0));
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse r && !(msg instanceof FullHttpResponse) && r.status().code() < 200) {
            interim = r;
            promise.setSuccess();
            return;
        }
        if (interim != null && msg instanceof LastHttpContent last) {
            HttpResponse head = interim;
            interim = null;
            last.release();
            FullHttpResponse joined = new DefaultFullHttpResponse(head.protocolVersion(), head.status());
            joined.headers().set(head.headers());
            ctx.write(joined, promise);
            return;
        }
        if (msg instanceof ByteBuf b && !b.isReadable()) {
            b.release();
            if (flushed == null) flushed = new ArrayList<>(1);
            flushed.add(promise);
            return;
        }
        ctx.write(msg, promise);
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        ctx.flush();
        List<ChannelPromise> done = flushed;
        if (done == null) return;
        flushed = null;
        for (ChannelPromise p : done) p.trySuccess();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (interim != null) ReferenceCountUtil.release(interim);
        interim = null;
        if (flushed != null) for (ChannelPromise p : flushed) p.trySuccess();
        flushed = null;
    }
}
