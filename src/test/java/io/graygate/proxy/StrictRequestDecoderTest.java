package io.graygate.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The decoder hands on what the scanner accepted, then one failed message, then nothing, however the bytes are cut
 * into reads; it leaks no buffer.
 */
class StrictRequestDecoderTest {

    private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>();
    private final EmbeddedChannel channel = new EmbeddedChannel(new StrictRequestDecoder(
            new HttpDecoderConfig().setMaxInitialLineLength(1024).setMaxHeaderSize(1024), methods));

    /**
     * Writes the bytes in reads of {@code piece} bytes and describes what came out: "METHOD target" per request,
     * "body N" per body (its parts added up, to its last part), "!reason" after a failed message.
     */
    private List<String> decode(String bytes, int piece) {
        byte[] b = bytes.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < b.length; i += piece) channel.writeInbound(Unpooled.wrappedBuffer(b, i, Math.min(piece, b.length - i)));
        List<String> out = new ArrayList<>();
        long body = 0;
        Object o;
        while ((o = channel.readInbound()) != null) {
            HttpObject m = (HttpObject) o;
            String failure = m.decoderResult().isFailure() ? " !" + m.decoderResult().cause().getMessage() : "";
            if (m instanceof HttpRequest r) {
                out.add(r.method() + " " + r.uri() + failure);
            } else if (m instanceof HttpContent c) {
                body += c.content().readableBytes();
                if (c instanceof LastHttpContent) {
                    out.add("body " + body + failure);
                    body = 0;
                }
            }
            ReferenceCountUtil.release(o);
        }
        assertThat(channel.finishAndReleaseAll()).isFalse();
        return out;
    }

    @ParameterizedTest(name = "reads of {0} bytes")
    @ValueSource(ints = {1, 7, 4096})
    void requestsAheadOfABadOneAreDecodedThenOneFailedRequestThenNothing(int piece) {
        List<String> out = decode("GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
                + "POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
                + "GET /3 HTTP/1.1\r\nHost : a\r\n\r\n"
                + "GET /4 HTTP/1.1\r\nHost: a\r\n\r\n", piece);
        assertThat(out).containsExactly("GET /1", "body 0", "POST /2", "body 3",
                "GET /bad-request !400 Bad Request: whitespace before the colon of a header field");
        assertThat(methods).containsExactly(HttpMethod.GET, HttpMethod.POST, HttpMethod.GET);
    }

    @ParameterizedTest(name = "reads of {0} bytes")
    @ValueSource(ints = {1, 5, 4096})
    void aBadChunkEndsTheBodyWithAFailedLastPartAfterTheDataBeforeIt(int piece) {
        List<String> out = decode("POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nzz\r\nGET /x HTTP/1.1\r\n\r\n", piece);
        assertThat(out).containsExactly("POST /c", "body 3 !400 Bad Request: an invalid chunk size");
    }

    @ParameterizedTest(name = "reads of {0} bytes")
    @ValueSource(ints = {1, 4096})
    void aChunkedBodyWithTrailersIsDecodedWhole(int piece) {
        List<String> out = decode("POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\nT: 1\r\n\r\n"
                + "GET /next HTTP/1.1\r\nHost: a\r\n\r\n", piece);
        assertThat(out).containsExactly("POST /c", "body 5", "GET /next", "body 0");
    }
}
