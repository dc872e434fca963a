package io.graygate.proxy;

import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;

import java.util.ArrayDeque;
import java.util.Queue;

/**
 * The HTTP/1.1 codec of a client connection: the {@link StrictRequestDecoder} and Netty's response encoder, which
 * learns from the decoder which request each response answers, so a response to HEAD gets no body bytes (as
 * Netty's own server codec does; its decoder cannot be replaced).
 */
final class ClientHttpCodec extends CombinedChannelDuplexHandler<StrictRequestDecoder, HttpResponseEncoder> {

    private final Queue<HttpMethod> methods = new ArrayDeque<>(2);

    ClientHttpCodec(HttpDecoderConfig config) {
        init(new StrictRequestDecoder(config, methods), new Encoder());
    }

    /** Whether a request head has begun and not yet ended. */
    boolean insideHead() {
        return inboundHandler().insideHead();
    }

    private final class Encoder extends HttpResponseEncoder {
        private HttpMethod method;

        @Override
        protected void sanitizeHeadersBeforeEncode(HttpResponse msg, boolean isAlwaysEmpty) {
            if (!isAlwaysEmpty && HttpMethod.CONNECT.equals(method) && msg.status().codeClass() == HttpStatusClass.SUCCESS) {
                msg.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
                return;
            }
            super.sanitizeHeadersBeforeEncode(msg, isAlwaysEmpty);
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpResponse msg) {
            // An interim response (100 Continue) answers no request of its own: the final one takes the method.
            method = msg.status().codeClass() == HttpStatusClass.INFORMATIONAL ? methods.peek() : methods.poll();
            return HttpMethod.HEAD.equals(method) || super.isContentAlwaysEmpty(msg);
        }
    }
}
