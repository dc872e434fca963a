package io.graygate.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** What the scanner accepts and refuses, byte for byte ({@code \r}, {@code \n}, {@code \0} and {@code \t} written as escapes). */
class RequestScannerTest {

    private static final String HEAD = "GET / HTTP/1.1\r\nHost: a\r\n";

    /** Scans the bytes whole, then again one byte at a time, and checks both find the same. */
    private static String scan(String text) {
        String whole = scanIn(text, text.length());
        String bytewise = scanIn(text, 1);
        assertThat(bytewise).as("byte by byte").isEqualTo(whole);
        return whole;
    }

    private static String scanIn(String text, int pieceSize) {
        RequestScanner scanner = new RequestScanner(100, 200);
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        for (int from = 0; from < bytes.length && scanner.error() == null; from += pieceSize) {
            ByteBuf piece = Unpooled.wrappedBuffer(bytes, from, Math.min(pieceSize, bytes.length - from));
            scanner.scan(piece, piece.readerIndex(), piece.writerIndex());
        }
        if (scanner.error() == null) return "ok" + (scanner.insideRequest() ? " (incomplete)" : "");
        return scanner.error().status().code() + " " + scanner.error().getMessage().substring(scanner.error().getMessage().indexOf(": ") + 2)
                + " @" + scanner.errorAt() + (scanner.errorInHead() ? " head" : " body");
    }

    private static String unescape(String s) {
        return s.replace("\\r", "\r").replace("\\n", "\n").replace("\\0", "\0").replace("\\t", "\t");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "GET / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n                                   | ok",
            "\\r\\nGET / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n                             | ok",
            "GET / HTTP/1.1\\nHost: a\\n\\n                                           | ok",
            "GET / HTTP/1.0\\r\\n\\r\\n                                                | ok",
            "GET / HTTP/1.1\\r\\nHost: a\\r\\n                                         | ok (incomplete)",
            "GET / HTTP/2.0\\r\\nHost: a\\r\\n\\r\\n                                   | 505 HTTP/2.0 is not supported; use HTTP/1.1 @0 head",
            "GET / HTTP/1.2\\r\\nHost: a\\r\\n\\r\\n                                   | 505 HTTP/1.2 is not supported; use HTTP/1.1 @0 head",
            "GET / HTTP/0.9\\r\\nHost: a\\r\\n\\r\\n                                   | 505 HTTP/0.9 is not supported; use HTTP/1.1 @0 head",
            "GET / HTTX/1.1\\r\\nHost: a\\r\\n\\r\\n                                   | 400 a malformed HTTP version @0 head",
            "GET /\\r\\n\\r\\n                                                          | 400 a malformed request line @0 head",
            "GET  / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n                                  | 400 a malformed request line @0 head",
            "G(T / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n                                   | 400 a malformed request method @0 head",
            "GET /\\0 HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n                                 | 400 a control character in the request line @0 head",
            "GET / HTTP/1.1\\rHost: a\\r\\n\\r\\n                                      | 400 a CR not followed by LF in the request line @0 head",
            "GET / HTTP/1.1\\r\\nHost: a\\r\\nX: a\\r\\n b\\r\\n\\r\\n                  | 400 obsolete line folding @0 head",
            "GET / HTTP/1.1\\r\\nHost: a\\r\\nX: a\\r\\n\\tb\\r\\n\\r\\n                | 400 obsolete line folding @0 head",
            "GET / HTTP/1.1\\r\\nHost : a\\r\\n\\r\\n                                  | 400 whitespace before the colon of a header field @0 head",
            "GET / HTTP/1.1\\r\\nHost: a\\0b\\r\\n\\r\\n                               | 400 a NUL in a header field @0 head",
            "GET / HTTP/1.1\\r\\nHost: a\\rb\\r\\n\\r\\n                               | 400 a CR not followed by LF in a header field @0 head",
            "GET / HTTP/1.1\\r\\nHost: a\\r\\n: b\\r\\n\\r\\n                          | 400 a header field without a name @0 head",
            "GET / HTTP/1.1\\r\\nHost: a\\r\\nX\\u0001: b\\r\\n\\r\\n                  | 400 an invalid header field name @0 head",
            "GET / HTTP/1.1\\r\\nHost: a\\r\\nX: \\u0007\\r\\n\\r\\n                   | 400 a control character in a header field @0 head",
    })
    void headsAreReadStrictly(String bytes, String expected) {
        assertThat(scan(unescape(bytes.strip()).replace("\\u0001", "\u0001").replace("\\u0007", "\u0007"))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "Content-Length: 3\\r\\n\\r\\nabc                                            | ok",
            "Content-Length: 3\\r\\n\\r\\nab                                             | ok (incomplete)",
            "Content-Length: 000003\\r\\n\\r\\nabc                                       | ok",
            "Content-Length: 3\\r\\nContent-Length: 3\\r\\n\\r\\nabc                     | 400 more than one Content-Length @0 head",
            "Content-Length: 3, 3\\r\\n\\r\\nabc                                         | 400 more than one Content-Length @0 head",
            "Content-Length: +3\\r\\n\\r\\nabc                                           | 400 invalid Content-Length \"+3\" @0 head",
            "Content-Length: 0x3\\r\\n\\r\\nabc                                          | 400 invalid Content-Length \"0x3\" @0 head",
            "Content-Length: 1234567890123456789\\r\\n\\r\\n                              | 400 invalid Content-Length \"1234567890123456789\" @0 head",
            "Content-Length:\\r\\n\\r\\n                                                 | 400 invalid Content-Length \"\" @0 head",
            "Content-Length: 3\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n3\\r\\nabc\\r\\n0\\r\\n\\r\\n | 400 both Content-Length and Transfer-Encoding @0 head",
            "Transfer-Encoding: chunked\\r\\nContent-Length: 3\\r\\n\\r\\n              | 400 both Content-Length and Transfer-Encoding @0 head",
            "Transfer-Encoding: chunked\\r\\n\\r\\n3\\r\\nabc\\r\\n0\\r\\n\\r\\n          | ok",
            "Transfer-Encoding: CHUNKED\\r\\n\\r\\n3\\r\\nabc\\r\\n0\\r\\n\\r\\n          | ok",
            "Transfer-Encoding: chunked\\r\\n\\r\\n3;name=value\\r\\nabc\\r\\n0\\r\\nX-Forwarded-For: 1.2.3.4\\r\\n\\r\\n | ok",
            "Transfer-Encoding: chunked\\r\\n\\r\\n3 ;ext\\r\\nabc\\n0\\n\\n              | ok",
            "Transfer-Encoding: chunked\\r\\n\\r\\n3\\r\\nabc\\r\\n0\\r\\n                | ok (incomplete)",
            "Transfer-Encoding: xchunked\\r\\n\\r\\n                                     | 501 unknown transfer coding \"xchunked\" @0 head",
            "Transfer-Encoding: chunked, gzip\\r\\n\\r\\n                                | 400 chunked is not the final transfer coding @0 head",
            "Transfer-Encoding: gzip, chunked\\r\\n\\r\\n                                | 501 transfer coding \"gzip\" is not supported @0 head",
            "Transfer-Encoding: chunked, chunked\\r\\n\\r\\n                             | 400 chunked appears more than once in Transfer-Encoding @0 head",
            "Transfer-Encoding: chunked\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n        | 400 chunked appears more than once in Transfer-Encoding @0 head",
            "Transfer-Encoding: gzip\\r\\n\\r\\n                                         | 400 chunked is not the final transfer coding @0 head",
            "Transfer-Encoding: chunked\\r\\n\\r\\n80000000\\r\\n                        | 400 the chunk size overflows @63 body",
            "Transfer-Encoding: chunked\\r\\n\\r\\nFFFFFFFFFFFFFFFF1\\r\\n               | 400 the chunk size overflows @63 body",
            "Transfer-Encoding: chunked\\r\\n\\r\\n-1\\r\\n                              | 400 an invalid chunk size @56 body",
            "Transfer-Encoding: chunked\\r\\n\\r\\n3x\\r\\nabc\\r\\n0\\r\\n\\r\\n         | 400 an invalid chunk size @57 body",
            "Transfer-Encoding: chunked\\r\\n\\r\\n3\\r\\nabcd\\r\\n0\\r\\n\\r\\n         | 400 chunk data longer than its chunk size @62 body",
            "Transfer-Encoding: chunked\\r\\n\\r\\n3\\r\\nabc\\rX0\\r\\n\\r\\n           | 400 chunk data not followed by CRLF @63 body",
            "Transfer-Encoding: chunked\\r\\n\\r\\n3\\rabc\\r\\n0\\r\\n\\r\\n           | 400 a CR not followed by LF after a chunk size @58 body",
            "Transfer-Encoding: chunked\\r\\n\\r\\n0\\r\\nX: a\\r\\n b\\r\\n\\r\\n        | 400 obsolete line folding in the trailers @65 body",
    })
    void bodiesAreFramedOneWayOnly(String fields, String expected) {
        assertThat(scan("POST / HTTP/1.1\r\nHost: a\r\n" + unescape(fields.strip()))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "GET / HTTP/1.0\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\n     | 400 Transfer-Encoding in an HTTP/1.0 request @0 head",
            "GET / HTTP/1.0\\r\\nContent-Length: 1\\r\\n\\r\\nx                        | ok",
    })
    void http10HasNoChunkedBodies(String bytes, String expected) {
        assertThat(scan(unescape(bytes.strip()))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            // a bad request behind good ones: the error is placed at its own head, so the ones before are decoded
            "GET /1 HTTP/1.1\\r\\nHost: a\\r\\n\\r\\nGET /2 HTTP/1.1\\r\\nHost : a\\r\\n\\r\\n                       | 400 whitespace before the colon of a header field @28 head",
            "POST /1 HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 5\\r\\n\\r\\nGET / 2 HTTP/1.1\\r\\n\\r\\n          | 400 a malformed request line @53 head",
            "POST /1 HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 6\\r\\n\\r\\nGET /\\r\\nGET /2 HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n | ok",
    })
    void pipelinedRequestsAreEachFramedByTheirOwnHead(String bytes, String expected) {
        assertThat(scan(unescape(bytes.strip()))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "101 | 414 the request line is too long @0 head",
            "100 | ok",
    })
    void theRequestLineLimitIs414(int length, String expected) {
        String target = "/" + "a".repeat(length - "GET  HTTP/1.1".length() - 1);
        assertThat(scan("GET " + target + " HTTP/1.1\r\nHost: a\r\n\r\n")).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "201 | 431 the request headers are too large @0 head",
            "200 | ok",
    })
    void theHeaderSectionLimitIs431CountedWithoutLineEnds(int size, String expected) {
        // "Host: a" is 7 bytes; the rest is one field "X: vvv..."
        String field = "X: " + "v".repeat(size - 7 - 3);
        assertThat(scan(HEAD + field + "\r\n\r\n")).isEqualTo(expected);
    }
}
