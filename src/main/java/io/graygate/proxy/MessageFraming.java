package io.graygate.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.ContentLengthNotAllowedException;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * The framing decisions of RFC 9112 §6 and §7: how long a request body is, from its Content-Length and
 * Transfer-Encoding, and whether an upstream response's framing is one that only one reading exists of.
 *
 * <p>A request's framing is read from its head once ({@link #request}); every form a second parser could read
 * differently is refused, so that the gateway and the upstream can never disagree on where a request ends. The
 * gateway then frames the upstream request itself ({@link #apply}), from the body it actually forwards: whatever
 * the client sent in Content-Length, Transfer-Encoding or Connection never reaches the upstream as framing.
 */
final class MessageFraming {

    /** The request has no body. */
    static final long NONE = -1;
    /** The request body is chunked. */
    static final long CHUNKED = -2;

    /** Content-Length values above this (18 digits) are refused rather than risk an overflow anywhere downstream. */
    private static final int MAX_LENGTH_DIGITS = 18;

    private MessageFraming() {
    }

    /** The body framing of a request head as Netty holds it (HTTP/1.1 decoded, or converted from HTTP/2). */
    static long request(HttpHeaders h, boolean http10) {
        List<String> lengths = h.contains(HttpHeaderNames.CONTENT_LENGTH) ? h.getAll(HttpHeaderNames.CONTENT_LENGTH) : List.of();
        String codings = joined(h, HttpHeaderNames.TRANSFER_ENCODING);
        return request(lengths.size(), lengths.isEmpty() ? null : lengths.get(0), codings, http10);
    }

    /**
     * The body framing of a request: {@link #NONE}, {@link #CHUNKED} or the body's length.
     *
     * @param lengthCount how many Content-Length fields the head has
     * @param length      the first Content-Length value, or null
     * @param codings     the Transfer-Encoding values as one comma-separated list, or null when there is none
     * @throws ProxyException 400 for an ambiguous or invalid framing, 501 for a transfer coding graygate does not know
     */
    static long request(int lengthCount, String length, String codings, boolean http10) {
        if (codings != null) {
            if (lengthCount > 0) throw bad("both Content-Length and Transfer-Encoding");
            if (http10) throw bad("Transfer-Encoding in an HTTP/1.0 request");
            checkCodings(codings);
            return CHUNKED;
        }
        if (lengthCount == 0) return NONE;
        if (lengthCount > 1) throw bad("more than one Content-Length");
        return length(length);
    }

    /** Accepts exactly "chunked", once and last; "gzip, chunked" is valid HTTP that graygate does not decode: 501. */
    private static void checkCodings(String codings) {
        int chunked = 0;
        String last = null;
        String unsupported = null;
        for (String raw : codings.split(",", -1)) {
            String coding = raw.strip().toLowerCase(Locale.ROOT);
            if (coding.isEmpty()) continue; // an empty list element (RFC 9110 §5.6.1)
            int semi = coding.indexOf(';');
            String name = (semi < 0 ? coding : coding.substring(0, semi)).strip();
            if (!isToken(name)) throw bad("invalid Transfer-Encoding \"" + codings + "\"");
            if (name.equals("chunked")) {
                if (semi >= 0) throw bad("invalid Transfer-Encoding \"" + codings + "\"");
                chunked++;
            } else if (unsupported == null) {
                unsupported = name;
            }
            last = name;
        }
        if (unsupported != null && !KNOWN_CODINGS.contains(unsupported)) {
            throw new ProxyException(HttpResponseStatus.NOT_IMPLEMENTED, "unknown transfer coding \"" + unsupported + "\"");
        }
        if (chunked == 0 || !"chunked".equals(last)) throw bad("chunked is not the final transfer coding");
        if (chunked > 1) throw bad("chunked appears more than once in Transfer-Encoding");
        if (unsupported != null) {
            throw new ProxyException(HttpResponseStatus.NOT_IMPLEMENTED, "transfer coding \"" + unsupported + "\" is not supported");
        }
    }

    private static final List<String> KNOWN_CODINGS = List.of("gzip", "x-gzip", "deflate", "compress", "x-compress");

    private static long length(String value) {
        int n = value.length();
        if (n == 0 || n > MAX_LENGTH_DIGITS) throw bad("invalid Content-Length \"" + value + "\"");
        long length = 0;
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') throw bad("invalid Content-Length \"" + value + "\"");
            length = length * 10 + (c - '0');
        }
        return length;
    }

    /**
     * Why Netty's decoder refused an upstream response head, as the 502's message says it: a Content-Length beside
     * Transfer-Encoding (RFC 9112 §6.3: a proxy must not trust it, as the next parser may read the length instead)
     * is named; anything else is an invalid response.
     */
    static String whyInvalid(Throwable cause) {
        return cause instanceof ContentLengthNotAllowedException ? "ambiguous framing: both Content-Length and Transfer-Encoding" : "invalid response";
    }

    /**
     * Why an upstream response's framing cannot be trusted, or null when it can. Netty's decoder has already refused
     * differing Content-Lengths and a Content-Length beside Transfer-Encoding ({@link #whyInvalid}); what it lets
     * through and this refuses: a Connection header that names Content-Length or Transfer-Encoding, which a
     * hop-by-hop strip would take the framing away with.
     */
    static String ambiguousResponse(HttpHeaders h) {
        String connection = joined(h, HttpHeaderNames.CONNECTION);
        if (connection != null && namesFraming(connection)) return "ambiguous framing: Connection names \"" + connection + "\"";
        return null;
    }

    /** Whether a Connection value lists Content-Length or Transfer-Encoding. */
    static boolean namesFraming(String connection) {
        for (String token : connection.split(",")) {
            String t = token.strip();
            if (t.equalsIgnoreCase("content-length") || t.equalsIgnoreCase("transfer-encoding")) return true;
        }
        return false;
    }

    /**
     * Frames the request for the upstream from the body the gateway forwards: Content-Length for a sized body,
     * chunked for the rest (HTTP/2 bodies of unknown length included), nothing for none. Called after the hop-by-hop
     * headers were stripped, so it is the only place that sets them.
     */
    static void apply(HttpHeaders h, long framing) {
        h.remove(HttpHeaderNames.CONTENT_LENGTH);
        h.remove(HttpHeaderNames.TRANSFER_ENCODING);
        if (framing == CHUNKED) {
            h.set(HttpHeaderNames.TRANSFER_ENCODING, io.netty.handler.codec.http.HttpHeaderValues.CHUNKED);
        } else if (framing >= 0) {
            h.set(HttpHeaderNames.CONTENT_LENGTH, framing);
        }
    }

    private static boolean isToken(String s) {
        if (s.isEmpty()) return false;
        for (int i = 0; i < s.length(); i++) if (!RequestScanner.isTchar(s.charAt(i))) return false;
        return true;
    }

    private static ProxyException bad(String why) {
        return new ProxyException(HttpResponseStatus.BAD_REQUEST, why);
    }

    /** All values of a header as one comma-separated line, or null. */
    static String joined(HttpHeaders h, CharSequence name) {
        String first = h.get(name);
        if (first == null) return null;
        Iterator<? extends CharSequence> values = h.valueCharSequenceIterator(name);
        values.next();
        return values.hasNext() ? String.join(", ", h.getAll(name)) : first;
    }
}
