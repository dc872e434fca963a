package io.graygate.testing;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A TLS client that trusts anything and reports what the server showed: the certificate served for an SNI name,
 * the protocol negotiated, and a raw HTTP/1.1 exchange over it. For asserting which certificate a listener uses.
 */
public final class TlsProbe implements AutoCloseable {

    /** A context of its own per connection: a shared one would resume its last session, certificate and all, whatever the SNI name. */
    private static SSLContext trustAll() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[]{new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, new SecureRandom());
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private final SSLSocket socket;

    private TlsProbe(SSLSocket socket) {
        this.socket = socket;
    }

    /** Connects and completes the handshake, naming {@code sniName} (null: no SNI) and offering {@code alpn}. */
    public static TlsProbe connect(InetSocketAddress at, String sniName, String... alpn) throws IOException {
        return open(at, sniName, null, alpn);
    }

    /**
     * The protocol negotiated by a client that offers only {@code protocol} (TLSv1.2 or TLSv1.3); throws an
     * {@link javax.net.ssl.SSLException} when the server will not speak it.
     */
    public static String handshakeOffering(InetSocketAddress at, String protocol) throws IOException {
        try (TlsProbe p = open(at, null, protocol)) {
            return p.protocol();
        }
    }

    private static TlsProbe open(InetSocketAddress at, String sniName, String onlyProtocol, String... alpn) throws IOException {
        SSLSocket s = (SSLSocket) trustAll().getSocketFactory().createSocket();
        if (onlyProtocol != null) s.setEnabledProtocols(new String[]{onlyProtocol});
        s.connect(at, 5000);
        s.setSoTimeout(10000);
        SSLParameters params = s.getSSLParameters();
        params.setServerNames(sniName == null ? List.of() : List.of(new SNIHostName(sniName)));
        if (alpn.length > 0) params.setApplicationProtocols(alpn);
        s.setSSLParameters(params);
        s.startHandshake();
        return new TlsProbe(s);
    }

    /** The subject CN of the certificate the server presented. */
    public static String servedName(InetSocketAddress at, String sniName) throws IOException {
        try (TlsProbe p = connect(at, sniName)) {
            return p.servedName();
        }
    }

    public String servedName() throws IOException {
        X509Certificate leaf = (X509Certificate) socket.getSession().getPeerCertificates()[0];
        String dn = leaf.getSubjectX500Principal().getName();
        return dn.startsWith("CN=") ? dn.substring(3).split(",")[0] : dn;
    }

    /** The serial number of the certificate the server presented, in hex: tells apart two certificates for one name. */
    public String servedSerial() throws IOException {
        return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber().toString(16);
    }

    public String protocol() {
        return socket.getSession().getProtocol();
    }

    public String applicationProtocol() {
        return socket.getApplicationProtocol();
    }

    /** Sends {@code request} as is and reads one response (Content-Length framed) as text: head, blank line, body. */
    public String exchange(String request) throws IOException {
        socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        InputStream in = socket.getInputStream();
        String head = RawUpstream.readHead(in);
        if (head == null) throw new IOException("connection closed before a whole response head");
        int length = 0;
        for (String line : head.split("\r\n")) {
            if (line.regionMatches(true, 0, "content-length:", 0, 15)) length = Integer.parseInt(line.substring(15).strip());
        }
        byte[] body = in.readNBytes(length);
        return head + new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
