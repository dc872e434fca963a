package io.graygate.testing;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, for what java.net.http will not send (Connection, Upgrade, Expect, Host, bad syntax)
 * and to see exactly what comes back: status line, headers as sent, body framed by Content-Length, chunked or close.
 * It can bind a local address first (127.0.0.2, say) to play a different client. Reads time out after 10 s.
 */
public final class RawHttpClient implements Closeable {

    /** One response: status, headers (names lower-cased, in order) and the body, de-chunked. */
    public record Response(int status, String statusLine, Map<String, List<String>> headers, byte[] body) {

        public String header(String name) {
            List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null ? null : v.get(0);
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RawHttpClient(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(10_000);
        socket.setTcpNoDelay(true);
        this.in = new java.io.BufferedInputStream(socket.getInputStream(), 65536);
        this.out = socket.getOutputStream();
    }

    public static RawHttpClient connect(InetSocketAddress server) {
        return connect(server, null);
    }

    /** Connects from {@code localAddress} (any port), e.g. "127.0.0.2", or from the default address when null. */
    public static RawHttpClient connect(InetSocketAddress server, String localAddress) {
        try {
            Socket s = new Socket();
            if (localAddress != null) s.bind(new InetSocketAddress(localAddress, 0));
            s.connect(server, 5_000);
            return new RawHttpClient(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends text as it is (ISO-8859-1); write the CRLFs yourself. */
    public RawHttpClient send(String text) {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    public RawHttpClient send(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public RawHttpClient get(String path, String host) {
        return send("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
    }

    /** Reads one response with its body. */
    public Response read() {
        return read(false);
    }

    /** Reads one response; with {@code noBody} (HEAD, or a 1xx) only its head, whatever Content-Length says. */
    public Response read(boolean noBody) {
        try {
            String statusLine = line();
            if (statusLine == null) throw new IOException("connection closed before a response");
            int status = Integer.parseInt(statusLine.split(" ", 3)[1]);
            Map<String, List<String>> headers = new LinkedHashMap<>();
            String l;
            while ((l = line()) != null && !l.isEmpty()) {
                int colon = l.indexOf(':');
                headers.computeIfAbsent(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(l.substring(colon + 1).trim());
            }
            byte[] body;
            boolean bodyless = noBody || status / 100 == 1 || status == 204 || status == 304;
            String te = first(headers, "transfer-encoding");
            String cl = first(headers, "content-length");
            if (bodyless) {
                body = new byte[0];
            } else if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
                body = chunked();
            } else if (cl != null) {
                body = in.readNBytes(Integer.parseInt(cl));
            } else {
                body = in.readAllBytes();
            }
            return new Response(status, statusLine, headers, body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads only a response's status line and headers; the body, if any, is left in {@link #input()} for the caller. */
    public Response readHead() {
        return read(true);
    }

    /** Reads a chunked body whose head {@link #readHead()} read. */
    public byte[] readChunkedBody() {
        try {
            return chunked();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The connection's input, for streaming a body too large to hold. */
    public InputStream input() {
        return in;
    }

    /** The connection's output, for streaming a body too large to hold. */
    public OutputStream output() {
        return out;
    }

    /** Reads raw bytes until {@code n} have come or the stream ends. */
    public byte[] readBytes(int n) {
        try {
            return in.readNBytes(n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** True when the server closed the connection (end of stream, or a reset) within the read timeout. */
    public boolean closedByServer() {
        try {
            return in.read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /**
     * True when the server ended the connection with FIN (end of stream) within the read timeout; false for a reset,
     * which may have destroyed a response before it was read, or when the connection stays open.
     */
    public boolean closedGracefully() {
        try {
            return in.read() == -1;
        } catch (IOException e) {
            return false;
        }
    }

    public Socket socket() {
        return socket;
    }

    private byte[] chunked() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = line();
            if (sizeLine == null) throw new IOException("connection closed inside a chunked body");
            int semi = sizeLine.indexOf(';');
            int size = Integer.parseInt((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
            if (size == 0) {
                while (true) { // trailers
                    String t = line();
                    if (t == null || t.isEmpty()) return body.toByteArray();
                }
            }
            body.write(in.readNBytes(size));
            line();
        }
    }

    private String line() throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                int n = sb.length();
                if (n > 0 && sb.charAt(n - 1) == '\r') sb.setLength(n - 1);
                return sb.toString();
            }
            sb.append((char) c);
        }
        return sb.length() == 0 ? null : sb.toString();
    }

    private static String first(Map<String, List<String>> headers, String name) {
        List<String> v = headers.get(name);
        return v == null ? null : v.get(0);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a test socket
        }
    }
}
