package io.graygate.proxy;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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
        assertThat(MessageFraming.ambiguousResponse(h, false)).isEqualTo(expected);
    }

    @Test
    void anUpstreamResponseWhoseLengthNettyDroppedForChunkedIsRefused() {
        HttpHeaders h = UpstreamResponseHeaders.FACTORY.newHeaders().add("Content-Length", "3").add("Transfer-Encoding", "chunked");
        assertThat(UpstreamResponseHeaders.lengthDroppedForChunked(h)).isFalse();
        h.remove(io.netty.handler.codec.http.HttpHeaderNames.CONTENT_LENGTH); // what HttpObjectDecoder does for CL + chunked
        assertThat(UpstreamResponseHeaders.lengthDroppedForChunked(h)).isTrue();
        assertThat(MessageFraming.ambiguousResponse(h, true)).isEqualTo("ambiguous framing: both Content-Length and Transfer-Encoding");
    }
}
