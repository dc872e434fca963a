package io.graygate.testing;
import io.graygate.routing.ip.ClientAddress;
import io.graygate.routing.ip.IpAddress;
import io.graygate.routing.RequestView;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * A {@link RequestView} held the way the proxy's connection handler holds one: the client in place, the headers,
 * method and target set per request.
 */
public final class HeldRequest implements RequestView {

    public final ClientAddress client = new ClientAddress();
    public HttpHeaders headers = EmptyHttpHeaders.INSTANCE;
    public String method = "GET";
    public String path = "/";
    public String target = "/";

    /** A GET of / from {@code ip} with no headers. */
    public static HeldRequest fromClient(String ip) {
        IpAddress a = IpAddress.parse(ip);
        if (a == null) throw new IllegalArgumentException("not an IP address: " + ip);
        HeldRequest r = new HeldRequest();
        r.client.set(a);
        return r;
    }

    /** Adds a header (the first of a name is the one rules read). */
    public HeldRequest header(String name, String value) {
        if (headers == EmptyHttpHeaders.INSTANCE) headers = new DefaultHttpHeaders();
        headers.add(name, value);
        return this;
    }

    /** Sets the request target ({@code /path?query}); the path is its part before '?'. */
    public HeldRequest target(String t) {
        target = t;
        int q = t.indexOf('?');
        path = q < 0 ? t : t.substring(0, q);
        return this;
    }

    public HeldRequest method(String m) {
        method = m;
        return this;
    }

    @Override
    public ClientAddress client() {
        return client;
    }

    @Override
    public String header(CharSequence name) {
        return headers.get(name);
    }

    @Override
    public String method() {
        return method;
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public String target() {
        return target;
    }
}
