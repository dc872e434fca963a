package io.graygate.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Serves the admin requests of one connection: the dashboard's static files to anyone (the page holds no data; the
 * data comes from the API), the API after the bearer token is checked, on a worker thread (rule changes block on the
 * store, the I/O loop must not), answering in request order, every answer with the same security headers.
 */
final class AdminHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(AdminHandler.class);
    private static final byte[] NEWLINE = {'\n'};
    private static final String METRICS = "/metrics";

    /**
     * Scripts, styles, images, fetches and forms from the admin listener itself only; no inline script or style, no
     * plug-in, no framing. Sent with every answer, JSON too, so that nothing the listener serves runs anything else.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
            + "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private final AdminApi api;
    private final DashboardAssets assets;
    private final BearerToken token; // null: no token configured, every caller is let in
    private final boolean metricsWithoutToken;
    private final Executor workers;

    // Touched only on the connection's I/O loop: requests read but not yet answered, and whether one is being served.
    private final ArrayDeque<FullHttpRequest> waiting = new ArrayDeque<>();
    private boolean serving;

    AdminHandler(AdminApi api, DashboardAssets assets, BearerToken token, boolean metricsWithoutToken, Executor workers) {
        this.api = api;
        this.assets = assets;
        this.token = token;
        this.metricsWithoutToken = metricsWithoutToken;
        this.workers = workers;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest request)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        waiting.add(request);
        if (!serving) serveNext(ctx);
    }

    /** Hands the next waiting request to a worker; reading pauses meanwhile, so a pipelining client is answered in order. */
    private void serveNext(ChannelHandlerContext ctx) {
        FullHttpRequest request = waiting.poll();
        serving = request != null;
        ctx.channel().config().setAutoRead(!serving);
        if (request == null) return;
        try {
            workers.execute(() -> {
                FullHttpResponse response;
                try {
                    response = respond(ctx, request);
                } finally {
                    request.release();
                }
                try {
                    ctx.executor().execute(() -> {
                        write(ctx, response);
                        serveNext(ctx);
                    });
                } catch (RejectedExecutionException closing) {
                    response.release(); // the I/O loop is gone: so is the connection
                }
            });
        } catch (RejectedExecutionException closing) {
            request.release();
            FullHttpResponse response = error(ApiException.of(HttpResponseStatus.SERVICE_UNAVAILABLE, "the admin API is shutting down"));
            HttpUtil.setKeepAlive(response, false);
            write(ctx, response);
        }
    }

    private FullHttpResponse respond(ChannelHandlerContext ctx, FullHttpRequest request) {
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        String what = request.method() + " " + uri.path();
        FullHttpResponse response;
        try {
            if (!request.decoderResult().isSuccess()) {
                throw ApiException.badRequest("malformed HTTP request: " + request.decoderResult().cause().getMessage());
            }
            if (DashboardAssets.serves(uri.rawPath())) {
                response = file(request, assets.get(request.method(), uri.rawPath()));
            } else {
                response = api(ctx, request, uri, what);
            }
        } catch (Throwable failure) {
            response = error(ApiErrors.toApiException(failure, what));
        }
        HttpUtil.setKeepAlive(response, request.decoderResult().isSuccess() && HttpUtil.isKeepAlive(request));
        HttpHeaders h = response.headers();
        h.set(HttpHeaderNames.CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY);
        h.set("x-content-type-options", "nosniff");
        h.set(HttpHeaderNames.X_FRAME_OPTIONS, "DENY");
        h.set("referrer-policy", "no-referrer");
        return response;
    }

    private FullHttpResponse api(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri, String what) {
        boolean metrics = uri.path().equals(METRICS);
        String holder = token == null ? null : token.holder(request.headers().get(HttpHeaderNames.AUTHORIZATION));
        if (token != null && holder == null && !(metrics && metricsWithoutToken)) {
            boolean given = request.headers().contains(HttpHeaderNames.AUTHORIZATION);
            log.warn("admin: refused {} from {}: {} bearer token", what, ctx.channel().remoteAddress(), given ? "wrong" : "no");
            throw ApiException.unauthorized(given ? "unauthorized: wrong token" : "unauthorized: send Authorization: Bearer <token>");
        }
        if (metrics) return metrics(request);
        return json(HttpResponseStatus.OK, api.handle(request.method(), uri.rawPath(), uri.parameters(), request.headers(),
                request.content(), Actor.of(holder, request.headers().get(Actor.HEADER))));
    }

    /** A static file, or 304 when the browser's copy is this one; HEAD gets the headers alone. */
    private static FullHttpResponse file(FullHttpRequest request, DashboardAssets.Asset asset) {
        boolean same = asset.etag().equals(request.headers().get(HttpHeaderNames.IF_NONE_MATCH));
        boolean withBody = !same && request.method().equals(HttpMethod.GET);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                same ? HttpResponseStatus.NOT_MODIFIED : HttpResponseStatus.OK,
                withBody ? Unpooled.wrappedBuffer(asset.body()) : Unpooled.EMPTY_BUFFER);
        HttpHeaders h = response.headers();
        h.set(HttpHeaderNames.CONTENT_TYPE, asset.contentType());
        if (!same) h.setInt(HttpHeaderNames.CONTENT_LENGTH, asset.body().length);
        h.set(HttpHeaderNames.ETAG, asset.etag());
        h.set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE); // revalidated each time: an upgrade shows at once
        return response;
    }

    /** Prometheus's text format, not JSON: the one endpoint outside the API's router. */
    private FullHttpResponse metrics(FullHttpRequest request) {
        if (!HttpMethod.GET.equals(request.method())) throw ApiException.methodNotAllowed(request.method().name(), METRICS, "GET");
        MetricsEndpoint m = api.metrics();
        ByteBuf content = Unpooled.wrappedBuffer(m.scrape());
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, content);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, m.contentType());
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        return response;
    }

    private static void write(ChannelHandlerContext ctx, FullHttpResponse response) {
        if (HttpUtil.isKeepAlive(response)) {
            ctx.writeAndFlush(response);
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static FullHttpResponse error(ApiException error) {
        ObjectNode body = AdminApi.JSON.createObjectNode().put("error", error.getMessage());
        FullHttpResponse response = json(error.status(), body);
        for (Map.Entry<String, String> h : error.headers().entrySet()) response.headers().set(h.getKey(), h.getValue());
        return response;
    }

    private static FullHttpResponse json(HttpResponseStatus status, JsonNode body) {
        byte[] bytes;
        try {
            bytes = AdminApi.JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serializes", e);
        }
        ByteBuf content = Unpooled.wrappedBuffer(bytes, NEWLINE);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON + "; charset=utf-8");
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        return response;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        for (FullHttpRequest r; (r = waiting.poll()) != null; ) r.release();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("admin: connection from {} failed", ctx.channel().remoteAddress(), cause);
        ctx.close();
    }
}
