package io.graygate.proxy;
import io.graygate.routing.Decision;
import io.graygate.routing.ip.ClientAddress;
import io.graygate.routing.ip.IpAddress;
import io.graygate.routing.RequestPath;
import io.graygate.routing.RequestView;
import io.graygate.routing.Route;
import io.graygate.routing.RouteTable;
import io.graygate.stats.Outcome;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * The front end of the proxy: the last handler on one client connection, and the {@link RequestView} its routes read.
 *
 * <p>Per request it reads one route table, finds the route, decides the version, takes a kept-alive connection to
 * the chosen server from this event loop's {@link UpstreamPool} or opens one, and streams the bodies through as
 * they arrive. Both sides read on their own (auto-read: with epoll, asking for each read re-arms the socket with
 * a system call) and stop only for back-pressure: while the other side's outbound buffer is above its high water
 * mark, until it drains below the low one. A request that arrives while the one before it is still being answered
 * (pipelining), and body parts that arrive while the upstream connection is still being opened, wait in
 * {@code pending}; the client is not read meanwhile, so that queue never holds more than one read's worth.
 *
 * <p>Client connections allow half-closure, so that a client that shuts its output after a request (as it may)
 * still gets its answers before the connection closes.
 */
final class ClientConnection extends ChannelInboundHandlerAdapter implements RequestView {

    /** The user event that tells a connection the server is closing: finish the request in hand, then hang up. */
    static final Object DRAIN = new Object();

    private static final Logger log = LoggerFactory.getLogger(ClientConnection.class);
    private static final AsciiString TRACEPARENT = AsciiString.cached("traceparent");

    private final ProxyServer proxy;
    /** X-Forwarded-Proto for this connection's listener: http, or https on a TLS listener (HTTP/2 streams included). */
    private final AsciiString scheme;
    private final long idleTimeoutNanos;
    private final ExchangeTimer timeouts;
    private final ArrayDeque<HttpObject> pending = new ArrayDeque<>(4);
    private final ChannelFutureListener connected = this::connected;
    private final Runnable onTimer = this::onTimer;

    private ChannelHandlerContext ctx;
    private UpstreamPool pool;
    /** This connection's event loop's index: the row its meters count in. */
    private int loop;
    private LoopCounter inFlight;
    private IpAddress peer;
    private String peerText;
    private boolean peerTrusted;
    /** The client of the request being decided, written in place by the resolver. */
    private final ClientAddress client = new ClientAddress();
    private Exchange exchange;
    /** The upstream channel written to in this batch, flushed at the end of the batch. */
    private Channel upstreamToFlush;
    /** Something was written to the client in this batch. */
    private boolean clientToFlush;
    /** Auto-read is off on the client channel (pending requests or back-pressure). */
    private boolean clientPaused;
    /** The client shut its output: answer what it sent, then close. */
    private boolean clientInputClosed;
    private boolean drainRequested;
    private boolean closing;
    private long idleSince;
    /** When the first bytes of a request head arrived while no exchange was in hand, else 0. */
    private long headStartedAt;
    /** The HTTP/1.1 codec, which knows whether a request head is under way; null on an HTTP/2 stream. */
    private ClientHttpCodec codec;
    /** The connection's one timer, for all its timeouts; see {@link #onTimer}. */
    private ScheduledFuture<?> timer;

    ClientConnection(ProxyServer proxy, boolean tls) {
        this.proxy = proxy;
        this.scheme = tls ? ForwardingHeaders.HTTPS : ForwardingHeaders.HTTP;
        var config = proxy.config().proxy();
        this.idleTimeoutNanos = config.idleTimeout().toNanos();
        this.timeouts = new ExchangeTimer(idleTimeoutNanos, config.requestHeaderTimeout().toNanos(),
                config.requestBodyTimeout().toNanos(), config.responseTimeout().toNanos());
    }

    // ---- RequestView: what a route's rules may read of the request being decided ----

    @Override
    public ClientAddress client() {
        return client;
    }

    @Override
    public String header(CharSequence name) {
        return exchange.request.headers().get(name);
    }

    @Override
    public String method() {
        return exchange.method.name();
    }

    @Override
    public String path() {
        return exchange.path;
    }

    @Override
    public String target() {
        return exchange.request.uri(); // in origin form: an absolute-form target was rewritten when the exchange began
    }

    // ---- the client side ----

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        SocketAddress remote = ctx.channel().remoteAddress();
        peer = remote instanceof InetSocketAddress isa && isa.getAddress() != null ? IpAddress.of(isa.getAddress()) : IpAddress.ofV4(0);
        peerText = peer.toString();
        peerTrusted = proxy.clientIps().trusts(peer);
        pool = proxy.pool(ctx.channel().eventLoop());
        loop = pool.index();
        inFlight = proxy.inFlight(ctx.channel().eventLoop());
        idleSince = System.nanoTime();
        codec = ctx.pipeline().get(ClientChannelInitializer.CODEC) instanceof ClientHttpCodec c ? c : null;
        if (proxy.draining()) {
            closing = true;
            ctx.close();
            return;
        }
        armTimer(timeouts.shortest());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing || !(msg instanceof HttpObject o)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (pending.isEmpty() && canTake(o)) {
            take(o);
        } else {
            pending.add(o);
        }
        updateClientReading();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        Exchange x = exchange;
        if (x != null) {
            long now = System.nanoTime();
            x.lastActivity = now;
            if (!x.requestDone()) x.clientActivity = now;
        } else if (headStartedAt == 0 && codec != null && codec.insideHead()) {
            headStartedAt = System.nanoTime();
        }
        flushUpstream();
    }

    /** Whether the client should be read now: nothing waits in {@code pending} and the upstream takes what it sends. */
    private boolean clientReadWanted() {
        if (closing || !pending.isEmpty()) return false;
        Exchange x = exchange;
        return x == null || x.requestDone() || x.upstream == null || x.upstream.channel().isWritable();
    }

    /** Turns the client's auto-read off or on when {@link #clientReadWanted} changed; a no-op otherwise. */
    private void updateClientReading() {
        boolean wanted = clientReadWanted();
        if (wanted == !clientPaused || closing) return;
        clientPaused = !wanted;
        ctx.channel().config().setAutoRead(wanted);
        Exchange x = exchange;
        if (wanted && x != null) x.clientActivity = System.nanoTime(); // a paused client was not slow
    }

    /** The upstream's outbound buffer crossed a water mark: the client's body may flow again, or must wait. */
    void upstreamWritabilityChanged() {
        Exchange x = exchange;
        if (x != null) x.lastActivity = System.nanoTime();
        updateClientReading();
    }

    /** Whether a message from the client can be handled now, or must wait for the exchange in hand. */
    private boolean canTake(HttpObject o) {
        Exchange x = exchange;
        if (o instanceof HttpRequest) return x == null;
        return x == null || (!x.requestDone() && x.connecting == null);
    }

    private void take(HttpObject o) {
        if (o instanceof HttpRequest request) {
            begin(request);
            return;
        }
        HttpContent content = (HttpContent) o;
        Exchange x = exchange;
        if (x == null) { // cannot happen with a decoder in front; dropped rather than trusted
            content.release();
            return;
        }
        if (content.decoderResult().isFailure()) {
            Throwable cause = content.decoderResult().cause();
            content.release();
            malformedBody(x, cause);
            return;
        }
        boolean last = content instanceof LastHttpContent;
        x.bytesIn += content.content().readableBytes();
        if (last) {
            x.requestReceived();
            // Trailers are dropped: one could otherwise add X-Forwarded-For or any field after the head was checked.
            HttpHeaders trailers = ((LastHttpContent) content).trailingHeaders();
            if (!trailers.isEmpty()) trailers.clear();
        }
        if (x.upstream != null) {
            writeUpstream(x.upstream, content); // unwritable now: updateClientReading pauses
            if (last) x.requestState = ExchangeState.Request.SENT;
        } else {
            content.release(); // answered already (404, 502...): the rest of the body is read and dropped
            if (last && x.responseDone()) next();
        }
    }

    private void drainPending() {
        HttpObject o;
        while (!closing && (o = pending.peek()) != null && canTake(o)) {
            pending.poll();
            take(o);
        }
        updateClientReading();
    }

    /** Ends a batch of writes to the upstream with one flush. */
    private void flushUpstream() {
        Channel c = upstreamToFlush;
        if (c == null) return;
        upstreamToFlush = null;
        c.flush();
        Exchange x = exchange;
        if (x != null && x.upstream != null && x.upstream.channel() == c) x.headFlushed = true;
    }

    /**
     * Writes without a future of its own (a failure reaches the upstream handler's exceptionCaught); the batch's
     * one flush follows in {@link #flushUpstream}.
     */
    private void writeUpstream(UpstreamConnection c, Object msg) {
        Channel ch = c.channel();
        ch.write(msg, ch.voidPromise());
        upstreamToFlush = ch;
    }

    /** Writes without a future of its own (a failure reaches exceptionCaught); the batch's one flush follows. */
    private void writeClient(Object msg) {
        ctx.write(msg, ctx.voidPromise());
        clientToFlush = true;
    }

    /** Starts the exchange for a request: route, decision, server, header edits, then an upstream connection. */
    private void begin(HttpRequest request) {
        Exchange x = new Exchange(request, System.nanoTime());
        exchange = x;
        headStartedAt = 0;
        x.counted = true;
        inFlight.increment();
        if (request.decoderResult().isFailure()) {
            x.requestReceived();
            Throwable cause = request.decoderResult().cause();
            ReferenceCountUtil.release(request);
            log.debug("malformed request from {}: {}", peerText, cause.toString());
            respondLocally(x, ProxyException.malformedRequest(cause), true);
            return;
        }
        x.clientKeepAlive = HttpUtil.isKeepAlive(request);
        x.expectContinue = HttpUtil.is100ContinueExpected(request);
        // What follows a request asking to switch protocols may not be HTTP: unless it switches, the connection ends.
        x.endsConnection = request.headers().contains(HttpHeaderNames.UPGRADE);
        boolean http10 = HttpVersion.HTTP_1_0.equals(x.clientVersion);
        RequestTarget requestTarget;
        try {
            x.framing = MessageFraming.request(request.headers(), http10);
            requestTarget = RequestTarget.parse(request.uri(), request.headers(), !http10);
        } catch (ProxyException e) {
            respondLocally(x, e, true);
            return;
        }
        x.expectsBody = x.framing == MessageFraming.CHUNKED || x.framing > 0;
        if (HttpMethod.CONNECT.equals(x.method) || HttpMethod.TRACE.equals(x.method)) {
            // CONNECT would make a tunnel of the gateway; TRACE would echo a request's headers back (RFC 9110 §9.3.8).
            respondLocally(x, ProxyException.methodNotAllowed(x.method.name()), false);
            return;
        }
        String host = requestTarget.host();
        if (requestTarget.origin() != request.uri()) request.setUri(requestTarget.origin());
        String path = requestTarget.path();
        if (path.startsWith("/")) {
            String normalized = RequestPath.normalize(path);
            if (normalized == null) {
                respondLocally(x, ProxyException.badPath(path), false);
                return;
            }
            path = normalized;
        }
        x.path = path;
        RouteTable table = proxy.routes().get();
        Route route = table.find(host, path);
        if (route == null) {
            respondLocally(x, ProxyException.noRoute(host, path), false);
            return;
        }
        x.route = route;
        proxy.clientIps().resolve(peer, request.headers(), client);
        Decision decision = route.decide(this);
        x.decision = decision;
        decision.meter().decided(loop);
        UpstreamGroup group = proxy.upstream(decision.upstream());
        if (group == null) {
            respondLocally(x, ProxyException.unknownUpstream(route.name(), decision.upstream()), false);
            return;
        }
        x.group = group;
        x.server = pool.next(group, null, 0);
        String target = PathRewrite.apply(request.uri(), path, proxy.stripsPrefix(route.name()) ? route.pathPrefix() : null,
                decision.pathPrefix().isNone() ? group.pathPrefix() : decision.pathPrefix());
        if (target != request.uri()) {
            request.setUri(target);
            x.upstreamUri = target;
        }
        x.upgrade = ForwardingHeaders.isUpgradeRequest(request);
        x.clientText = client.is(peer) ? peerText : client.toString();
        ForwardingHeaders.prepareRequest(request, x.upgrade, peerText, x.clientText, scheme, peerTrusted, route.upstreamHost(), x.server.hostHeader(), x.framing);
        x.upstreamStartNanos = x.tryStartNanos = System.nanoTime();
        UpstreamConnection c = pool.pollIdle(x.server);
        if (c != null) {
            x.reused = true;
            send(x, c);
        } else {
            connect(x);
        }
    }

    private void connect(Exchange x) {
        ChannelFuture f = pool.connect(x.server);
        x.connecting = f;
        f.addListener(connected);
    }

    private void connected(ChannelFuture f) {
        Exchange x = exchange;
        if (x == null || x.connecting != f) { // the client went away meanwhile: keep the fresh connection for someone else
            if (f.isSuccess()) pool.release(UpstreamConnection.of(f.channel()));
            return;
        }
        x.connecting = null;
        if (!f.isSuccess()) {
            String why = ProxyException.describeConnectFailure(f.cause(), proxy.config().proxy().connectTimeout());
            x.server.countConnectFailure();
            NextUpstreamPolicy.Failure failure = f.cause() instanceof io.netty.channel.ConnectTimeoutException
                    ? NextUpstreamPolicy.Failure.CONNECT_TIMEOUT : NextUpstreamPolicy.Failure.CONNECT_FAILED;
            if (tryNextServer(x, failure, why)) return;
            x.upstreamFailed = true;
            respondLocally(x, ProxyException.badGateway(x.route.name(), x.server, why), false);
            return;
        }
        UpstreamConnection c = UpstreamConnection.of(f.channel());
        send(x, c);
        drainPending();
        flushUpstream();
    }

    /** Binds the exchange to an upstream connection and writes the request head; the caller flushes. */
    private void send(Exchange x, UpstreamConnection c) {
        x.upstream = c;
        c.bind(this);
        writeUpstream(c, x.request); // the upstream reads on its own: the response may come early
        if (x.requestDone()) { // sent again: the body (none, or this would not be resent) ended already
            writeUpstream(c, LastHttpContent.EMPTY_LAST_CONTENT);
            x.requestState = ExchangeState.Request.SENT;
        }
        x.lastActivity = System.nanoTime();
    }

    /**
     * A try failed before any response byte. The server's health hears of it; then, if the policy allows and a try is
     * left, the request goes to the next server of its group (true), else the caller answers the client (false).
     */
    private boolean tryNextServer(Exchange x, NextUpstreamPolicy.Failure failure, String why) {
        UpstreamServer failed = x.server;
        failed.health().failed(System.nanoTime(), why);
        if (!NextUpstreamPolicy.allows(proxy.nextUpstream(), failure, x.method, x.expectsBody, x.upgrade)) return false;
        int tries = proxy.nextUpstreamTries() > 0 ? proxy.nextUpstreamTries() : x.group.size();
        if (x.triedCount + 1 >= tries) return false;
        if (x.tried == null) x.tried = new UpstreamServer[tries];
        x.tried[x.triedCount++] = failed;
        UpstreamServer next = pool.next(x.group, x.tried, x.triedCount);
        if (next == null) {
            x.triedCount--;
            return false;
        }
        x.earlierTries = (x.earlierTries == null ? "" : x.earlierTries + ",") + failed + "(" + failure.word + ")";
        x.server = next;
        x.retried = false;
        x.tryStartNanos = System.nanoTime();
        UpstreamConnection c = pool.pollIdle(next);
        if (c != null) {
            x.reused = true;
            send(x, c);
            drainPending();
            flushUpstream();
        } else {
            x.reused = false;
            connect(x);
        }
        return true;
    }

    // ---- the upstream side, called by UpstreamConnection on this same event loop ----

    void fromUpstream(Object msg) {
        Exchange x = exchange;
        if (x == null || x.upstream == null) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpResponse response) {
            if (response.decoderResult().isFailure()) {
                ReferenceCountUtil.release(msg);
                abandonUpstream(x, MessageFraming.whyInvalid(response.decoderResult().cause()), false);
                return;
            }
            upstreamResponse(x, response);
        } else if (msg instanceof HttpContent content) {
            upstreamContent(x, content);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void upstreamResponse(Exchange x, HttpResponse response) {
        if (!x.anyResponse()) x.server.health().succeeded(x.startNanos);
        if (x.responseState == ExchangeState.Response.NONE) x.responseState = ExchangeState.Response.AWAITING_FINAL;
        int code = response.status().code();
        HttpHeaders h = response.headers();
        if (code == 101) {
            if (!x.upgrade) {
                abandonUpstream(x, "switched protocols unasked", false);
                return;
            }
            x.responseState = ExchangeState.Response.STARTED;
            x.status = code;
            ForwardingHeaders.prepareResponse(response, true);
            if (proxy.versionHeader()) h.set(ForwardingHeaders.X_GRAYGATE_VERSION, x.decision.version());
            ctx.write(response);
            switchToTunnel(x);
            return;
        }
        if (code < 200) { // interim (100 Continue, 103 Early Hints): passed on; the final response follows
            x.responseState = ExchangeState.Response.INTERIM;
            x.dropInterim = HttpVersion.HTTP_1_0.equals(x.clientVersion); // HTTP/1.0 clients know no 1xx
            if (!x.dropInterim) {
                ForwardingHeaders.prepareResponse(response, false);
                writeClient(response);
            }
            return;
        }
        String ambiguous = MessageFraming.ambiguousResponse(h);
        if (ambiguous != null) { // the connection's next bytes cannot be placed: it is closed, never reused
            abandonUpstream(x, ambiguous, false);
            return;
        }
        x.responseState = ExchangeState.Response.STARTED;
        x.status = code;
        x.upstreamKeepAlive = HttpUtil.isKeepAlive(response);
        boolean bodyless = HttpMethod.HEAD.equals(x.method) || code == 204 || code == 304;
        boolean chunked = HttpUtil.isTransferEncodingChunked(response);
        boolean sized = !chunked && h.contains(HttpHeaderNames.CONTENT_LENGTH);
        if (!bodyless && !chunked && !sized) x.upstreamKeepAlive = false; // its body ends when the upstream closes
        ForwardingHeaders.prepareResponse(response, false);
        // A response may start before the request's body has all arrived (an upstream that streams back as it
        // reads): the connection stays open if the body ends first, and responseComplete closes it otherwise.
        boolean close = !x.clientKeepAlive || drainRequested || proxy.draining() || x.endsConnection;
        if (!bodyless && !sized) {
            if (HttpVersion.HTTP_1_0.equals(x.clientVersion)) {
                close = true; // no chunked framing in HTTP/1.0: the body ends where the connection does
            } else {
                h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            }
        }
        x.closeAfter = close;
        if (close) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (HttpVersion.HTTP_1_0.equals(x.clientVersion)) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        if (proxy.versionHeader()) h.set(ForwardingHeaders.X_GRAYGATE_VERSION, x.decision.version());
        response.setProtocolVersion(HttpVersion.HTTP_1_1);
        writeClient(response);
    }

    private void upstreamContent(Exchange x, HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        if (x.responseState == ExchangeState.Response.INTERIM) {
            if (last) x.responseState = ExchangeState.Response.AWAITING_FINAL;
            if (x.dropInterim) {
                content.release();
            } else {
                writeClient(content);
            }
            return;
        }
        if (!x.responseStarted()) {
            content.release();
            return;
        }
        if (content.decoderResult().isFailure()) {
            content.release();
            abandonUpstream(x, "invalid response body", false);
            return;
        }
        x.bytesOut += content.content().readableBytes();
        writeClient(content);
        if (last) {
            responseComplete(x);
        } else if (!ctx.channel().isWritable()) {
            x.upstream.pauseReading(); // until the client drains: see channelWritabilityChanged
        }
    }

    /** Ends a batch read from the upstream with one flush to the client. */
    void upstreamReadComplete() {
        Exchange x = exchange;
        if (x != null) x.lastActivity = System.nanoTime();
        if (!clientToFlush) return;
        clientToFlush = false;
        ctx.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Exchange x = exchange;
        if (x != null && ctx.channel().isWritable()) {
            x.lastActivity = System.nanoTime();
            if (x.upstream != null) x.upstream.resumeReading();
        }
        ctx.fireChannelWritabilityChanged();
    }

    private void responseComplete(Exchange x) {
        x.responseState = ExchangeState.Response.DONE;
        x.upstreamNanos = System.nanoTime() - x.upstreamStartNanos;
        UpstreamConnection c = x.upstream;
        x.upstream = null;
        c.unbind();
        if (x.upstreamKeepAlive && x.requestSent()) {
            pool.release(c);
        } else {
            c.close();
        }
        finish(x);
        clientToFlush = false;
        if (x.closeAfter || drainRequested || !x.requestDone()) {
            closing = true;
            CloseOnFlush.close(ctx.channel()); // flushes the response, then closes
            return;
        }
        ctx.flush();
        next();
    }

    /** The upstream connection closed or failed while bound to this exchange (it has already unbound itself). */
    void upstreamFailed(UpstreamConnection c, Throwable cause) {
        Exchange x = exchange;
        if (x == null || x.upstream != c) return;
        if (cause != null) log.debug("upstream {} failed", x.server, cause);
        javax.net.ssl.SSLException tls = cause == null ? null : tlsFailure(cause);
        String why = tls != null ? "TLS handshake failed: " + tls.getMessage()
                : cause == null ? "the upstream closed the connection before responding"
                : cause instanceof IOException && cause.getMessage() != null && cause.getMessage().contains("reset")
                ? "connection reset before a response" : "connection failed before a response";
        abandonUpstream(x, why, true);
    }

    private static javax.net.ssl.SSLException tlsFailure(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) if (t instanceof javax.net.ssl.SSLException e) return e;
        return null;
    }

    /**
     * Gives up the exchange's upstream connection. Before any response byte, a kept-alive connection that fails on a
     * request without a body is retried once on a fresh connection (the upstream may have closed it just as the
     * request left, which says nothing about the request or the server); past that the failure counts against the
     * server and the request may go on to the next one ({@link #tryNextServer}); else the client gets a 502. After
     * the response started the client can only learn of the failure from its connection closing.
     */
    private void abandonUpstream(Exchange x, String why, boolean mayRetry) {
        UpstreamConnection c = x.upstream;
        x.upstream = null;
        c.close();
        if (!x.anyResponse() && mayRetry && x.reused && !x.retried && NextUpstreamPolicy.resendable(x.method, x.expectsBody, x.upgrade)) {
            x.retried = true;
            x.reused = false;
            x.tryStartNanos = System.nanoTime();
            connect(x);
            return;
        }
        if (!x.anyResponse() && mayRetry && tryNextServer(x, NextUpstreamPolicy.Failure.BROKE_OFF, why)) return;
        x.upstreamFailed = true;
        if (!x.responseStarted()) {
            respondLocally(x, ProxyException.badGateway(x.route.name(), x.server, why), false);
            return;
        }
        finish(x);
        closing = true;
        CloseOnFlush.close(ctx.channel());
    }

    private void armTimer(long delayNanos) {
        timer = ctx.executor().schedule(onTimer, delayNanos, TimeUnit.NANOSECONDS);
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    /**
     * The connection's one timer, armed when it opens and re-armed each time it fires, so that a request costs no
     * timer of its own; {@link ExchangeTimer} says whose time is up. Between exchanges: idleTimeout closes a quiet
     * connection, requestHeaderTimeout answers a head begun and not finished with 408. While a request body is due
     * and being read: requestBodyTimeout with no body byte, 408 (the client's fault, whatever the upstream does).
     * While the exchange waits on its upstream: responseTimeout with no byte moving either way, 504 or a cut-off
     * response.
     */
    private void onTimer() {
        timer = null;
        if (closing) return;
        long now = System.nanoTime();
        Exchange x = exchange;
        ExchangeTimer.Waiting waiting;
        long since;
        if (x == null) {
            waiting = !pending.isEmpty() ? ExchangeTimer.Waiting.NOTHING
                    : headStartedAt != 0 ? ExchangeTimer.Waiting.REQUEST_HEAD : ExchangeTimer.Waiting.IDLE;
            since = headStartedAt != 0 ? headStartedAt : idleSince;
        } else if (!x.requestDone() && !clientPaused) {
            waiting = ExchangeTimer.Waiting.REQUEST_BODY;
            since = x.clientActivity;
        } else if (x.upstream != null && !x.responseDone()) {
            waiting = ExchangeTimer.Waiting.UPSTREAM;
            since = x.lastActivity;
        } else { // connecting (the connect timeout rules), or answered already
            waiting = ExchangeTimer.Waiting.NOTHING;
            since = now;
        }
        switch (timeouts.check(waiting, since, now)) {
            case WAIT -> armTimer(timeouts.nextDelay());
            case CLOSE_IDLE -> {
                closing = true;
                ctx.close();
            }
            case REQUEST_HEAD_TIMEOUT -> {
                closing = true;
                ProxyException e = ProxyException.requestTimeout("no complete request head within "
                        + proxy.config().proxy().requestHeaderTimeout().toMillis() + " ms");
                LingeringClose.after(ctx.writeAndFlush(ErrorResponses.render(ctx.alloc(), e, null, true)));
            }
            case REQUEST_BODY_TIMEOUT -> requestBodyTimedOut(x);
            case RESPONSE_TIMEOUT -> responseTimedOut(x);
        }
    }

    /** The client stopped sending the body it announced: 408, and the upstream exchange is given up. */
    private void requestBodyTimedOut(Exchange x) {
        x.requestReceived();
        x.connecting = null;
        if (x.upstream != null) {
            UpstreamConnection c = x.upstream;
            x.upstream = null;
            c.close(); // it holds part of a request: never reused
        }
        if (!x.responseStarted()) {
            respondLocally(x, ProxyException.requestTimeout("no request body bytes within "
                    + proxy.config().proxy().requestBodyTimeout().toMillis() + " ms"), true);
            return;
        }
        finish(x);
        closing = true;
        CloseOnFlush.close(ctx.channel());
    }

    private void responseTimedOut(Exchange x) {
        UpstreamConnection c = x.upstream;
        x.upstream = null;
        c.close();
        if (!x.anyResponse()) {
            String why = "no response within " + proxy.config().proxy().responseTimeout().toMillis() + " ms";
            if (tryNextServer(x, NextUpstreamPolicy.Failure.RESPONSE_TIMEOUT, why)) {
                armTimer(timeouts.shortest());
                return;
            }
        }
        x.upstreamFailed = true;
        if (!x.responseStarted()) {
            respondLocally(x, ProxyException.gatewayTimeout(x.route.name(), x.server, proxy.config().proxy().responseTimeout()), false);
            if (!closing) armTimer(timeouts.shortest());
            return;
        }
        finish(x);
        closing = true;
        CloseOnFlush.close(ctx.channel());
    }

    private void malformedBody(Exchange x, Throwable cause) {
        log.debug("malformed request body from {}: {}", peerText, cause.toString());
        // Refused in the read that brought its head: nothing went upstream, and the access log says so.
        if (!x.headFlushed) x.server = null;
        x.requestReceived();
        x.connecting = null;
        if (x.upstream != null) {
            UpstreamConnection c = x.upstream;
            x.upstream = null;
            c.close();
        }
        if (!x.responseStarted()) {
            respondLocally(x, ProxyException.malformedRequest(cause), true);
            return;
        }
        finish(x);
        closing = true;
        CloseOnFlush.close(ctx.channel());
    }

    /** Answers the request here (404, 502, 504, 400...) through {@link ErrorResponses}. */
    private void respondLocally(Exchange x, ProxyException e, boolean forceClose) {
        x.local = true;
        x.responseState = ExchangeState.Response.DONE;
        x.status = e.status().code();
        // A client that waits for 100 Continue will not send its body now; the connection cannot be reused.
        boolean close = forceClose || !x.clientKeepAlive || drainRequested || proxy.draining() || x.endsConnection
                || (x.expectsBody && x.expectContinue && !x.requestDone());
        String version = x.decision != null && proxy.versionHeader() ? x.decision.version() : null;
        ChannelFuture f = ctx.writeAndFlush(ErrorResponses.render(ctx.alloc(), e, version, close));
        finish(x);
        if (close) {
            closing = true;
            LingeringClose.after(f); // the client reads the refusal even with more of its request unread
            return;
        }
        if (x.requestDone()) {
            next();
        } else {
            drainPending();
        }
    }

    /** Counts the request as answered, in the meters and the access log; once per exchange. */
    private void finish(Exchange x) {
        if (!x.counted) return;
        x.counted = false;
        inFlight.decrement();
        long now = System.nanoTime();
        Decision d = x.decision;
        if (d != null) {
            // An upstream's time counts only when it answered in full: the exchange's last try, its head to its last byte.
            long lastTryNanos = x.anyResponse() && x.responseDone() && !x.local && !x.upstreamFailed ? now - x.tryStartNanos : -1;
            d.meter().finished(loop, x.upstreamFailed ? Outcome.UPSTREAM_ERROR : Outcome.of(x.status), now - x.startNanos, lastTryNanos);
        }
        long upstreamNanos = x.upstreamNanos > 0 ? x.upstreamNanos : x.upstreamStartNanos != 0 ? now - x.upstreamStartNanos : -1;
        proxy.accessLog().record(x.route == null ? null : x.route.name(), d == null ? null : d.version(), d == null ? null : d.rule(),
                x.earlierTries, x.server, x.status, now - x.startNanos, upstreamNanos, x.bytesIn, x.bytesOut,
                x.clientText == null ? peerText : x.clientText, x.method, x.uri, x.upstreamUri, x.traceparent);
    }

    /** The exchange is over on both sides: on to the next request (pipelined already, or yet to be read). */
    private void next() {
        exchange = null;
        idleSince = System.nanoTime();
        // A head pipelined behind the last request and left unfinished has requestHeaderTimeout from now.
        if (codec != null && codec.insideHead()) headStartedAt = idleSince;
        if (drainRequested || proxy.draining()) {
            closing = true;
            CloseOnFlush.close(ctx.channel());
            return;
        }
        drainPending();
        flushUpstream();
        if (clientInputClosed && exchange == null && pending.isEmpty()) {
            closing = true;
            CloseOnFlush.close(ctx.channel());
        }
    }

    /**
     * Right after the 101 was written: takes both HTTP codecs away and relays raw bytes. Encoders go first so nothing
     * more is encoded as HTTP; then the decoders, whose leftover bytes (sent right behind the 101, or by an eager
     * client) reach the relays. Whatever the upstream's decoder still emits for the 101 reaches the relay, which
     * passes on its bytes.
     */
    private void switchToTunnel(Exchange x) {
        UpstreamConnection u = x.upstream;
        x.upstream = null;
        u.unbind();
        finish(x);
        exchange = null;
        closing = true;
        releasePending();
        Channel client = ctx.channel();
        Channel upstream = u.channel();
        // The relays ask for each read themselves (back-pressure per batch), and a closed side closes the other.
        client.config().setAutoRead(false);
        upstream.config().setAutoRead(false);
        client.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, false);
        ChannelPipeline cp = client.pipeline();
        ChannelPipeline up = upstream.pipeline();
        ClientHttpCodec serverCodec = (ClientHttpCodec) cp.get(ClientChannelInitializer.CODEC);
        HttpClientCodec clientCodec = (HttpClientCodec) up.get(UpstreamPool.CODEC);
        serverCodec.removeOutboundHandler();
        clientCodec.removeOutboundHandler();
        cancelTimer();
        cp.addFirst("idle", new IdleStateHandler(0, 0, idleTimeoutNanos, TimeUnit.NANOSECONDS));
        cp.replace(this, "tunnel", new TunnelRelay(upstream));
        up.replace(u, "tunnel", new TunnelRelay(client));
        serverCodec.removeInboundHandler();
        clientCodec.removeInboundHandler();
        cp.remove(serverCodec);
        up.remove(clientCodec);
        clientToFlush = false;
        client.flush();
        upstream.flush();
        client.read();
        upstream.read();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            clientInputClosed = true;
            if (exchange == null && pending.isEmpty()) {
                closing = true;
                ctx.close();
            }
        } else if (evt == DRAIN) {
            drainRequested = true;
            if (exchange == null) {
                closing = true;
                ctx.close();
            }
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closing = true;
        cancelTimer();
        releasePending();
        Exchange x = exchange;
        exchange = null;
        if (x == null) return;
        if (x.upstream != null) {
            UpstreamConnection c = x.upstream;
            x.upstream = null;
            c.close(); // mid-exchange: its state is unknown, so it is not reused
        }
        x.connecting = null;
        if (!x.responseStarted()) x.status = 499; // nginx's code for "the client closed the request"
        finish(x);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            log.debug("client {}: {}", peerText, cause.toString());
        } else {
            log.warn("client {}: unexpected error", peerText, cause);
        }
        closing = true;
        ctx.close();
    }

    private void releasePending() {
        HttpObject o;
        while ((o = pending.poll()) != null) ReferenceCountUtil.release(o);
    }

    /** One request and its response, as far as they have got. */
    private static final class Exchange {
        final HttpRequest request;
        final HttpMethod method;
        final String uri;
        final HttpVersion clientVersion;
        final long startNanos;

        boolean clientKeepAlive;
        /** The body's framing: {@link MessageFraming#NONE}, {@link MessageFraming#CHUNKED} or its length. */
        long framing = MessageFraming.NONE;
        boolean expectsBody;
        boolean endsConnection;
        boolean expectContinue;
        boolean upgrade;
        Route route;
        String path;
        Decision decision;
        String clientText;
        UpstreamGroup group;
        UpstreamServer server;
        /** The target sent upstream when a rewrite changed it, else null. */
        String upstreamUri;
        /** Servers tried before {@code server} for this request (null until a retry), for the next choice to leave out. */
        UpstreamServer[] tried;
        int triedCount;
        /** "10.0.0.1:80(refused),..." for the access log; null when the first try answered. */
        String earlierTries;

        UpstreamConnection upstream;
        ChannelFuture connecting;
        boolean reused;
        boolean retried;

        ExchangeState.Request requestState = ExchangeState.Request.RECEIVING;
        ExchangeState.Response responseState = ExchangeState.Response.NONE;
        boolean headFlushed;   // the request head was flushed to the upstream
        boolean dropInterim;
        boolean local;         // answered by the proxy itself
        boolean closeAfter;
        boolean upstreamKeepAlive;
        int status;

        long lastActivity;
        /** When the client last sent bytes of this request (or was let read again after a pause). */
        long clientActivity;
        boolean counted;
        /** When the try that is under way started (a connection asked for): the upstream's time is from here. */
        long tryStartNanos;
        /** The gateway gave up on the upstream: it could not be reached, timed out or broke off (code upstream_error). */
        boolean upstreamFailed;

        boolean requestDone() {
            return requestState != ExchangeState.Request.RECEIVING;
        }

        boolean requestSent() {
            return requestState == ExchangeState.Request.SENT;
        }

        /** The client's request has ended, or is no longer read; a request sent whole stays SENT. */
        void requestReceived() {
            if (requestState == ExchangeState.Request.RECEIVING) requestState = ExchangeState.Request.RECEIVED;
        }

        boolean anyResponse() {
            return responseState != ExchangeState.Response.NONE;
        }

        boolean responseStarted() {
            return responseState == ExchangeState.Response.STARTED || responseState == ExchangeState.Response.DONE;
        }

        boolean responseDone() {
            return responseState == ExchangeState.Response.DONE;
        }

        // For the access log: when the first upstream try began and how long until the response's end (0: not yet),
        // body bytes from the client and to it, and the client's traceparent header.
        long upstreamStartNanos;
        long upstreamNanos;
        long bytesIn;
        long bytesOut;
        final String traceparent;

        Exchange(HttpRequest request, long startNanos) {
            this.request = request;
            this.method = request.method();
            this.uri = request.uri();
            this.clientVersion = request.protocolVersion();
            this.startNanos = startNanos;
            this.traceparent = request.headers().get(TRACEPARENT);
            this.clientActivity = startNanos;
        }
    }
}
