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
 * Serves the admin requests of one connection, once {@link AdminGate} has let them through: dispatches to the
 * {@link AdminApi} on a worker thread (rule changes block on the store, the I/O loop must not), and writes the JSON
 * answers in request order; a request the gate refused is answered with its refusal and the connection closed.
 */
final class AdminHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(AdminHandler.class);
    private static final byte[] NEWLINE = {'\n'};

    private final AdminApi api;
    private final BearerToken token; // null: no token configured, every caller is let in
    private final Executor workers;

    // Touched only on the connection's I/O loop: requests read but not yet answered, and whether one is being served.
    private final ArrayDeque<FullHttpRequest> waiting = new ArrayDeque<>();
    private boolean serving;

    AdminHandler(AdminApi api, BearerToken token, Executor workers) {
        this.api = api;
        this.token = token;
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
                if (request.decoderResult().cause() instanceof ApiException refusedByTheGate) throw refusedByTheGate;
                throw ApiException.badRequest("malformed HTTP request: " + request.decoderResult().cause().getMessage());
            }
            // AdminGate refused a wrong or missing token on the head; here the token only names its holder.
            String holder = token == null ? null : token.holder(request.headers().get(HttpHeaderNames.AUTHORIZATION));
            response = json(HttpResponseStatus.OK, api.handle(request.method(), uri.rawPath(), uri.parameters(), request.headers(),
                    request.content(), Actor.of(holder, request.headers().get(Actor.HEADER))));
        } catch (Throwable failure) {
            response = error(ApiErrors.toApiException(failure, what));
        }
        HttpUtil.setKeepAlive(response, request.decoderResult().isSuccess() && HttpUtil.isKeepAlive(request));
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
