package io.graygate.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;

import java.util.List;
import java.util.Queue;

/**
 * Netty's request decoder behind a {@link RequestScanner}: Netty only ever decodes bytes the scanner has read as
 * strict HTTP/1.1. At the first byte the scanner refuses, Netty gets the bytes before the bad request (so the
 * requests ahead of it in a pipeline are still answered), then the handler gets a request or a last body part whose
 * decoder result is the scanner's {@link ProxyException}, and nothing more is read from the connection.
 */
final class StrictRequestDecoder extends HttpRequestDecoder {

    private final RequestScanner scanner;
    private final Queue<HttpMethod> methods;
    /** Stream position of the next byte Netty's decoder reads. */
    private long decoded;
    private boolean failed;

    /** @param methods where the method of each request goes, in order, for the response encoder */
    StrictRequestDecoder(HttpDecoderConfig config, Queue<HttpMethod> methods) {
        super(config);
        this.scanner = new RequestScanner(config.getMaxInitialLineLength(), config.getMaxHeaderSize());
        this.methods = methods;
    }

    /** Whether a request head has begun and not yet ended (the connection waits on the client). */
    boolean insideHead() {
        return scanner.insideHead();
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        int unscanned = in.readerIndex() + (int) (scanner.position() - decoded);
        if (unscanned < in.writerIndex()) scanner.scan(in, unscanned, in.writerIndex());
        int first = out.size();
        if (scanner.error() == null) {
            int before = in.readerIndex();
            super.decode(ctx, in, out);
            decoded += in.readerIndex() - before;
        } else {
            decodeUpToError(ctx, in, out);
        }
        for (int i = first; i < out.size(); i++) if (out.get(i) instanceof HttpRequest r) methods.add(r.method());
    }

    private void decodeUpToError(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        long allowed = scanner.errorAt() - decoded;
        if (allowed > 0) {
            ByteBuf good = in.slice(in.readerIndex(), (int) allowed);
            while (good.isReadable()) {
                int index = good.readerIndex();
                int count = out.size();
                super.decode(ctx, good, out);
                if (good.readerIndex() == index && out.size() == count) break;
            }
        }
        in.skipBytes(in.readableBytes());
        failed = true;
        DecoderResult failure = DecoderResult.failure(scanner.error());
        if (scanner.errorInHead()) {
            HttpRequest bad = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/bad-request", Unpooled.EMPTY_BUFFER);
            bad.setDecoderResult(failure);
            out.add(bad);
        } else {
            LastHttpContent bad = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
            bad.setDecoderResult(failure);
            out.add(bad);
        }
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        super.decodeLast(ctx, in, out);
    }
}
