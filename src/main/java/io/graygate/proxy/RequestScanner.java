package io.graygate.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.FastThreadLocal;

import java.nio.charset.StandardCharsets;

/**
 * Reads the bytes a client sends exactly as RFC 9112 frames them, ahead of Netty's (lenient) decoder, and stops at
 * the first byte that a second parser could read another way: it finds where each request head ends and where
 * each body ends, and refuses obsolete line folding, whitespace before a colon, NUL, CR or other controls in a
 * field, a malformed request line, an HTTP version other than 1.0 and 1.1 (505), an ambiguous Content-Length or
 * Transfer-Encoding ({@link MessageFraming}), chunk sizes that overflow and chunk data that is not followed by
 * exactly CRLF. It keeps no bytes: it only counts positions in the connection's byte stream.
 *
 * <p>A single LF is taken as a line end wherever CRLF is (RFC 9112 §2.2 allows it); as the gateway frames what it
 * forwards itself, that leniency cannot reach the upstream.
 */
final class RequestScanner {

    private enum State {
        /** Before a request line; empty lines are skipped (RFC 9112 §2.2). */
        START, START_LF,
        REQUEST_LINE, REQUEST_LINE_LF,
        FIELD_START, FIELD_NAME, FIELD_VALUE, FIELD_LF, HEAD_END_LF,
        BODY,
        CHUNK_SIZE, CHUNK_SIZE_WS, CHUNK_EXT, CHUNK_SIZE_LF, CHUNK_DATA, CHUNK_DATA_CR, CHUNK_DATA_LF,
        TRAILER_START, TRAILER_LINE, TRAILER_LF, TRAILER_END_LF,
        /** After a request that asks to switch protocols: what follows may not be HTTP; Netty's decoder reads on. */
        UNCHECKED,
        FAILED
    }

    private static final int MAX_NAME = 32;
    private static final int MAX_CHUNK_LINE = 4096;
    private static final byte[] CONTENT_LENGTH = "content-length".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TRANSFER_ENCODING = "transfer-encoding".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] UPGRADE = "upgrade".getBytes(StandardCharsets.US_ASCII);

    private final int maxLineLength;
    private final int maxHeaderSize;
    /** The request line being read; grows up to maxLineLength. */
    private byte[] line;

    private State state = State.START;
    /** Stream position of the next byte to scan. */
    private long position;
    private long headStart;
    private int lineLength;
    private int headerBytes;
    private final byte[] name = new byte[MAX_NAME];
    private int nameLength;
    /** The value of the field being read is kept (Content-Length or Transfer-Encoding). */
    private StringBuilder value;
    private int field; // 0: other, 1: Content-Length, 2: Transfer-Encoding
    private int lengthCount;
    private String length;
    private StringBuilder codings;
    private boolean http10;
    private boolean upgrade;
    private long remaining;
    private int chunkLineLength;

    private ProxyException error;
    private long errorAt;
    private boolean errorInHead;

    RequestScanner(int maxLineLength, int maxHeaderSize) {
        this.maxLineLength = maxLineLength;
        this.maxHeaderSize = maxHeaderSize;
        this.line = new byte[Math.min(128, maxLineLength)];
    }

    /** Stream position of the next byte to scan: how many bytes were scanned so far. */
    long position() {
        return position;
    }

    /** Why the stream cannot be read on, or null. */
    ProxyException error() {
        return error;
    }

    /** Stream position from which nothing may be decoded: the start of the bad request's head, or the bad body byte. */
    long errorAt() {
        return errorAt;
    }

    /** Whether the error lies in a request head (the request is refused whole) or in its body. */
    boolean errorInHead() {
        return errorInHead;
    }

    /** Whether a request head or body is under way (so the connection's end would cut a request short). */
    boolean insideRequest() {
        return state != State.START && state != State.START_LF && state != State.UNCHECKED && state != State.FAILED;
    }

    /** Whether the head being read is incomplete (for the request-head timeout). */
    boolean insideHead() {
        return state.ordinal() >= State.REQUEST_LINE.ordinal() && state.ordinal() <= State.HEAD_END_LF.ordinal();
    }

    /**
     * Scans {@code buf[from, to)}, the bytes that follow the last scanned one, stopping at an error. Bodies are
     * skipped by count; heads and chunk lines are copied into the event loop's scratch array a piece at a time and
     * read from there, which the JIT turns into tight loops (a ByteProcessor would be a virtual call per byte).
     */
    void scan(ByteBuf buf, int from, int to) {
        byte[] scratch = null;
        int i = from;
        while (i < to && state != State.UNCHECKED && state != State.FAILED) {
            if (state == State.BODY || state == State.CHUNK_DATA) {
                int n = (int) Math.min(remaining, to - i);
                i += n;
                position += n;
                remaining -= n;
                if (remaining == 0) state = state == State.BODY ? endOfMessage() : State.CHUNK_DATA_CR;
                continue;
            }
            if (scratch == null) scratch = SCRATCH.get();
            int n = Math.min(to - i, scratch.length);
            buf.getBytes(i, scratch, 0, n);
            int j = 0;
            while (j < n) {
                if (state == State.FIELD_VALUE && value == null) { // most of a head: a field value nobody reads
                    int k = j;
                    while (k < n && ORDINARY[scratch[k] & 0xff]) k++;
                    position += k - j;
                    headerBytes += k - j;
                    j = k;
                    if (headerBytes > maxHeaderSize) {
                        fail(headStart, true, new ProxyException(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "the request headers are too large"));
                        return;
                    }
                    if (j == n) break;
                }
                if (state == State.FIELD_NAME) {
                    int k = j;
                    while (k < n && scratch[k] >= 0 && TCHAR[scratch[k]]) {
                        if (nameLength < MAX_NAME) name[nameLength] = (byte) (scratch[k] | 0x20);
                        nameLength++;
                        k++;
                    }
                    position += k - j;
                    headerBytes += k - j;
                    j = k;
                    if (headerBytes > maxHeaderSize) {
                        fail(headStart, true, new ProxyException(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "the request headers are too large"));
                        return;
                    }
                    if (j == n) break;
                } else if (state == State.REQUEST_LINE) {
                    int k = j;
                    while (k < n && scratch[k] != '\r' && scratch[k] != '\n') k++;
                    int m = k - j;
                    if (lineLength + m > maxLineLength) {
                        fail(headStart, true, new ProxyException(HttpResponseStatus.REQUEST_URI_TOO_LONG, "the request line is too long"));
                        return;
                    }
                    if (lineLength + m > line.length) line = java.util.Arrays.copyOf(line, Math.min(maxLineLength, Math.max(line.length * 2, lineLength + m)));
                    System.arraycopy(scratch, j, line, lineLength, m);
                    lineLength += m;
                    position += m;
                    j = k;
                    if (j == n) break;
                }
                if (!process(scratch[j++])) break; // a body to skip, or an error
            }
            i += j;
        }
    }

    private static final FastThreadLocal<byte[]> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[4096];
        }
    };

    /** One byte of a head or of chunked framing; false to stop the loop (a body to skip, or an error). */
    private boolean process(byte b) {
        long at = position++;
        switch (state) {
            case START -> {
                if (b == '\r') {
                    state = State.START_LF;
                } else if (b != '\n') {
                    headStart = at;
                    beginHead();
                    state = State.REQUEST_LINE;
                    return requestLineByte(b);
                }
            }
            case START_LF -> {
                if (b != '\n') return failHead("a CR not followed by LF");
                state = State.START;
            }
            case REQUEST_LINE -> {
                return requestLineByte(b);
            }
            case REQUEST_LINE_LF -> {
                if (b != '\n') return failHead("a CR not followed by LF in the request line");
                return endOfRequestLine();
            }
            case FIELD_START -> {
                if (b == '\r') {
                    state = State.HEAD_END_LF;
                } else if (b == '\n') {
                    return endOfHead();
                } else if (b == ' ' || b == '\t') {
                    return failHead("obsolete line folding");
                } else {
                    nameLength = 0;
                    state = State.FIELD_NAME;
                    return fieldNameByte(b);
                }
            }
            case FIELD_NAME -> {
                return fieldNameByte(b);
            }
            case FIELD_VALUE -> {
                if (b == '\r') {
                    state = State.FIELD_LF;
                } else if (b == '\n') {
                    return endOfField();
                } else {
                    if (!countHeaderByte()) return false;
                    if (isControl(b)) return failHead(b == 0 ? "a NUL in a header field" : "a control character in a header field");
                    if (value != null) value.append((char) (b & 0xff));
                }
            }
            case FIELD_LF -> {
                if (b != '\n') return failHead("a CR not followed by LF in a header field");
                return endOfField();
            }
            case HEAD_END_LF -> {
                if (b != '\n') return failHead("a CR not followed by LF");
                return endOfHead();
            }
            case CHUNK_SIZE -> {
                int digit = Character.digit(b, 16);
                if (digit >= 0) {
                    if ((remaining << 4) + digit > Integer.MAX_VALUE) return failBody(at, "the chunk size overflows");
                    remaining = (remaining << 4) + digit;
                    chunkLineLength++;
                    return true;
                }
                if (chunkLineLength == 0) return failBody(at, "an invalid chunk size");
                return afterChunkSize(b, at);
            }
            case CHUNK_SIZE_WS -> {
                if (b == ' ' || b == '\t') return true;
                return afterChunkSize(b, at);
            }
            case CHUNK_EXT -> {
                if (b == '\r') {
                    state = State.CHUNK_SIZE_LF;
                } else if (b == '\n') {
                    return endOfChunkSize();
                } else if (isControl(b) || ++chunkLineLength > MAX_CHUNK_LINE) {
                    return failBody(at, "an invalid chunk extension");
                }
            }
            case CHUNK_SIZE_LF -> {
                if (b != '\n') return failBody(at, "a CR not followed by LF after a chunk size");
                return endOfChunkSize();
            }
            case CHUNK_DATA_CR -> {
                if (b == '\r') {
                    state = State.CHUNK_DATA_LF;
                } else if (b == '\n') {
                    beginChunk();
                } else {
                    return failBody(at, "chunk data longer than its chunk size");
                }
            }
            case CHUNK_DATA_LF -> {
                if (b != '\n') return failBody(at, "chunk data not followed by CRLF");
                beginChunk();
            }
            case TRAILER_START -> {
                if (b == '\r') {
                    state = State.TRAILER_END_LF;
                } else if (b == '\n') {
                    state = endOfMessage();
                } else if (b == ' ' || b == '\t') {
                    return failBody(at, "obsolete line folding in the trailers");
                } else {
                    state = State.TRAILER_LINE;
                    return trailerByte(b, at);
                }
            }
            case TRAILER_LINE -> {
                return trailerByte(b, at);
            }
            case TRAILER_LF -> {
                if (b != '\n') return failBody(at, "a CR not followed by LF in the trailers");
                state = State.TRAILER_START;
            }
            case TRAILER_END_LF -> {
                if (b != '\n') return failBody(at, "a CR not followed by LF after the trailers");
                state = endOfMessage();
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    private void beginHead() {
        lineLength = 0;
        headerBytes = 0;
        lengthCount = 0;
        length = null;
        codings = null;
        value = null;
        upgrade = false;
        http10 = false;
    }

    private boolean requestLineByte(byte b) {
        if (b == '\r') {
            state = State.REQUEST_LINE_LF;
            return true;
        }
        if (b == '\n') return endOfRequestLine();
        if (lineLength == maxLineLength) return fail(headStart, true, new ProxyException(HttpResponseStatus.REQUEST_URI_TOO_LONG, "the request line is too long"));
        if (lineLength == line.length) line = java.util.Arrays.copyOf(line, Math.min(maxLineLength, line.length * 2));
        line[lineLength++] = b;
        return true;
    }

    /** method SP request-target SP HTTP-version (RFC 9112 §3), with single spaces. */
    private boolean endOfRequestLine() {
        int n = lineLength;
        int firstSpace = -1;
        int secondSpace = -1;
        for (int i = 0; i < n; i++) {
            byte b = line[i];
            if (b == ' ') {
                if (firstSpace < 0) {
                    firstSpace = i;
                } else if (secondSpace < 0) {
                    secondSpace = i;
                } else {
                    return failHead("a malformed request line");
                }
            } else if (isControl(b)) {
                return failHead("a control character in the request line");
            }
        }
        if (firstSpace <= 0 || secondSpace < 0 || secondSpace == firstSpace + 1 || secondSpace == n - 1) {
            return failHead("a malformed request line");
        }
        for (int i = 0; i < firstSpace; i++) if (!isTchar((char) line[i])) return failHead("a malformed request method");
        int v = secondSpace + 1;
        if (n - v != 8 || !startsWith(line, v, "HTTP/") || !isDigit(line[v + 5]) || line[v + 6] != '.' || !isDigit(line[v + 7])) {
            return failHead("a malformed HTTP version");
        }
        if (line[v + 5] != '1' || (line[v + 7] != '0' && line[v + 7] != '1')) {
            return fail(headStart, true, new ProxyException(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED,
                    "HTTP/" + (char) line[v + 5] + "." + (char) line[v + 7] + " is not supported; use HTTP/1.1"));
        }
        http10 = line[v + 7] == '0';
        state = State.FIELD_START;
        return true;
    }

    private boolean fieldNameByte(byte b) {
        if (!countHeaderByte()) return false;
        if (b == ':') {
            if (nameLength == 0) return failHead("a header field without a name");
            field = matches(CONTENT_LENGTH) ? 1 : matches(TRANSFER_ENCODING) ? 2 : 0;
            if (matches(UPGRADE)) upgrade = true;
            value = field == 0 ? null : new StringBuilder(16);
            state = State.FIELD_VALUE;
            return true;
        }
        if (b == ' ' || b == '\t') return failHead("whitespace before the colon of a header field");
        if (!isTchar((char) (b & 0xff))) return failHead("an invalid header field name");
        if (nameLength < MAX_NAME) name[nameLength] = (byte) (b | 0x20);
        nameLength++;
        return true;
    }

    private boolean matches(byte[] expected) {
        if (nameLength != expected.length) return false;
        for (int i = 0; i < nameLength; i++) if (name[i] != expected[i]) return false;
        return true;
    }

    private boolean endOfField() {
        if (field == 1) {
            lengthCount += value.indexOf(",") >= 0 ? 2 : 1; // "5, 5": a list is a second value
            if (length == null) length = value.toString().strip();
        } else if (field == 2) {
            if (codings == null) codings = new StringBuilder(value.length());
            else codings.append(',');
            codings.append(value);
        }
        value = null;
        field = 0;
        state = State.FIELD_START;
        return true;
    }

    private boolean endOfHead() {
        long framing;
        try {
            framing = MessageFraming.request(lengthCount, length, codings == null ? null : codings.toString(), http10);
        } catch (ProxyException e) {
            return fail(headStart, true, e);
        }
        if (framing == MessageFraming.CHUNKED) {
            beginChunk();
            return true;
        }
        if (framing > 0) {
            remaining = framing;
            state = State.BODY;
            return false; // the caller skips the body
        }
        state = endOfMessage();
        return true;
    }

    private State endOfMessage() {
        return upgrade ? State.UNCHECKED : State.START;
    }

    private void beginChunk() {
        remaining = 0;
        chunkLineLength = 0;
        state = State.CHUNK_SIZE;
    }

    private boolean afterChunkSize(byte b, long at) {
        if (b == ';') {
            state = State.CHUNK_EXT;
        } else if (b == ' ' || b == '\t') {
            state = State.CHUNK_SIZE_WS;
        } else if (b == '\r') {
            state = State.CHUNK_SIZE_LF;
        } else if (b == '\n') {
            return endOfChunkSize();
        } else {
            return failBody(at, "an invalid chunk size");
        }
        return true;
    }

    private boolean endOfChunkSize() {
        if (remaining == 0) {
            headerBytes = 0;
            state = State.TRAILER_START;
            return true;
        }
        state = State.CHUNK_DATA;
        return false; // the caller skips the chunk's data
    }

    private boolean trailerByte(byte b, long at) {
        if (b == '\r') {
            state = State.TRAILER_LF;
        } else if (b == '\n') {
            state = State.TRAILER_START;
        } else if (isControl(b)) {
            return failBody(at, "a control character in the trailers");
        } else if (++headerBytes > maxHeaderSize) {
            return failBody(at, "the trailers are too large");
        }
        return true;
    }

    /** Counts a byte of the header section as Netty does (line ends not counted); past maxHeaderSize: 431. */
    private boolean countHeaderByte() {
        if (++headerBytes <= maxHeaderSize) return true;
        return fail(headStart, true, new ProxyException(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "the request headers are too large"));
    }

    private boolean failHead(String why) {
        return fail(headStart, true, new ProxyException(HttpResponseStatus.BAD_REQUEST, why));
    }

    private boolean failBody(long at, String why) {
        return fail(at, false, new ProxyException(HttpResponseStatus.BAD_REQUEST, why));
    }

    private boolean fail(long at, boolean inHead, ProxyException e) {
        error = e;
        errorAt = at;
        errorInHead = inHead;
        state = State.FAILED;
        return false;
    }

    /** CTL (RFC 5234): 0x00-0x1F and 0x7F, horizontal tab allowed. */
    private static boolean isControl(byte b) {
        return (b >= 0 && b < 0x20 && b != '\t') || b == 0x7f;
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    private static boolean startsWith(byte[] bytes, int from, String prefix) {
        for (int i = 0; i < prefix.length(); i++) if (bytes[from + i] != prefix.charAt(i)) return false;
        return true;
    }

    /** tchar of RFC 9110 §5.6.2. */
    static boolean isTchar(char c) {
        return c < 128 && TCHAR[c];
    }

    private static final boolean[] TCHAR = new boolean[128];
    /** Bytes a field value may hold that need no look: not CR, LF or another control (tab allowed); obs-text is. */
    private static final boolean[] ORDINARY = new boolean[256];

    static {
        for (char c = '0'; c <= '9'; c++) TCHAR[c] = true;
        for (char c = 'a'; c <= 'z'; c++) TCHAR[c] = true;
        for (char c = 'A'; c <= 'Z'; c++) TCHAR[c] = true;
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) TCHAR[c] = true;
        for (int b = 0; b < 256; b++) ORDINARY[b] = b == '\t' || (b >= 0x20 && b != 0x7f);
    }
}
