package io.graygate.admin;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Judges each admin request on its head, before any of its body is read: without the right bearer token, or with a
 * body declared larger than {@code admin.maxBodySize}, the request goes on with no body, marked refused (the handler
 * answers it in turn and closes), and every byte after it on the connection is dropped, never buffered.
 *
 * <p>Sits between the HTTP codec and the aggregator, so the aggregator only ever collects an authenticated body.
 */
final class AdminGate extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(AdminGate.class);

    private final BearerToken token; // null: no token configured, every caller is let in
    private final boolean metricsWithoutToken;
    private final int maxBodySize;
    private boolean refused; // a request was refused: the connection closes once it is answered

    AdminGate(BearerToken token, boolean metricsWithoutToken, int maxBodySize) {
        this.token = token;
        this.metricsWithoutToken = metricsWithoutToken;
        this.maxBodySize = maxBodySize;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest head && head.decoderResult().isSuccess()) {
            ApiException refusal = refusal(ctx, head);
            if (refusal != null) {
                refused = true;
                ReferenceCountUtil.release(msg);
                ctx.fireChannelRead(refusedRequest(head, refusal));
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    private ApiException refusal(ChannelHandlerContext ctx, HttpRequest head) {
        String path = new QueryStringDecoder(head.uri()).rawPath();
        // The dashboard's page holds no data; /metrics may be opened to a scraper by admin.metricsWithoutToken.
        boolean open = DashboardAssets.serves(path) || metricsWithoutToken && path.equals(AdminHandler.METRICS);
        if (token != null && !open && !token.accepts(head.headers().get(HttpHeaderNames.AUTHORIZATION))) {
            boolean given = head.headers().contains(HttpHeaderNames.AUTHORIZATION);
            log.warn("admin: refused {} {} from {}: {} bearer token", head.method(), new QueryStringDecoder(head.uri()).path(),
                    ctx.channel().remoteAddress(), given ? "wrong" : "no");
            return ApiException.unauthorized(given ? "unauthorized: wrong token" : "unauthorized: send Authorization: Bearer <token>");
        }
        long declared = HttpUtil.getContentLength(head, -1L);
        if (declared > maxBodySize) {
            return ApiException.of(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                    "body: " + declared + " bytes is more than admin.maxBodySize (" + maxBodySize + " bytes)");
        }
        return null;
    }

    /** The head with no body, carrying its refusal as a failed decoder result: the handler answers it and closes. */
    private static DefaultFullHttpRequest refusedRequest(HttpRequest head, ApiException refusal) {
        DefaultFullHttpRequest request = new DefaultFullHttpRequest(head.protocolVersion(), head.method(), head.uri(), Unpooled.EMPTY_BUFFER);
        request.headers().set(head.headers());
        request.setDecoderResult(DecoderResult.failure(refusal));
        return request;
    }
}
