package io.graygate.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The framing graygate sends upstream, and the upstream responses it refuses to read. */
class MessageFramingTest {

    @ParameterizedTest(name = "framing {0} -> CL {1}, TE {2}")
    @CsvSource(nullValues = "NONE", value = {
            "-1, NONE, NONE",
            "-2, NONE, chunked",
            "0,  0,    NONE",
            "80, 80,   NONE",
    })
    void theUpstreamRequestIsFramedFromTheBodyAloneWhateverTheClientSent(long framing, String length, String codings) {
        HttpHeaders h = new DefaultHttpHeaders();
        h.add("Content-Length", "5").add("Content-Length", "7").add("Transfer-Encoding", "gzip");
        MessageFraming.apply(h, framing);
        assertThat(h.getAll("Content-Length")).isEqualTo(length == null ? java.util.List.of() : java.util.List.of(length));
        assertThat(h.getAll("Transfer-Encoding")).isEqualTo(codings == null ? java.util.List.of() : java.util.List.of(codings));
    }

    @ParameterizedTest(name = "Connection: {0} -> {1}")
    @CsvSource(delimiter = '|', nullValues = "NONE", value = {
            "keep-alive                    | NONE",
            "close, x-foo                  | NONE",
            "Content-Length                | ambiguous framing: Connection names \"Content-Length\"",
            "close, transfer-encoding      | ambiguous framing: Connection names \"close, transfer-encoding\"",
    })
    void anUpstreamResponseWhoseConnectionNamesItsFramingIsRefused(String connection, String expected) {
        HttpHeaders h = new DefaultHttpHeaders().add("Connection", connection.strip()).add("Content-Length", "3");
        assertThat(MessageFraming.ambiguousResponse(h)).isEqualTo(expected);
    }

    @Test
    void nettysRefusalOfALengthBesideChunkedIsNamedAndOtherRefusalsAreInvalid() {
        EmbeddedChannel ch = new EmbeddedChannel(new HttpResponseDecoder());
        ch.writeInbound(Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", StandardCharsets.US_ASCII));
        HttpResponse r = ch.readInbound();
        assertThat(r.decoderResult().isFailure()).isTrue();
        assertThat(MessageFraming.whyInvalid(r.decoderResult().cause())).isEqualTo("ambiguous framing: both Content-Length and Transfer-Encoding");
        assertThat(MessageFraming.whyInvalid(new IllegalArgumentException("invalid version format"))).isEqualTo("invalid response");
        ch.finishAndReleaseAll();
    }
}
