package io.graygate.proxy.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;

/**
 * The TLS implementation: OpenSSL (BoringSSL, from netty-tcnative) when its native library loads, the JDK's otherwise.
 * {@code -Dio.netty.handler.ssl.noOpenSsl=true} forces the JDK's.
 */
public record TlsProvider(SslProvider provider, String description) {

    public static TlsProvider best() {
        if (OpenSsl.isAvailable() && OpenSsl.isAlpnSupported()) {
            return new TlsProvider(SslProvider.OPENSSL, "OpenSSL (" + OpenSsl.versionString() + ")");
        }
        return new TlsProvider(SslProvider.JDK, "JDK " + System.getProperty("java.version"));
    }

    /** Why OpenSSL is not used, for the start-up line when the JDK's TLS is; null when it is. */
    public String whyNotOpenSsl() {
        if (provider == SslProvider.OPENSSL) return null;
        Throwable cause = OpenSsl.unavailabilityCause();
        if (cause == null) return "OpenSSL without ALPN";
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }
}
