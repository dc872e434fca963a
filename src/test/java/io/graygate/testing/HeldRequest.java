package io.graygate.testing;

import io.graygate.routing.ClientAddress;
import io.graygate.routing.IpAddress;
import io.graygate.routing.RequestView;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;

/** A {@link RequestView} held the way the proxy's connection handler holds one: the client in place, the headers set per request. */
public final class HeldRequest implements RequestView {

    public final ClientAddress client = new ClientAddress();
    public HttpHeaders headers = EmptyHttpHeaders.INSTANCE;

    /** A request from {@code ip} with no headers. */
    public static HeldRequest fromClient(String ip) {
        IpAddress a = IpAddress.parse(ip);
        if (a == null) throw new IllegalArgumentException("not an IP address: " + ip);
        HeldRequest r = new HeldRequest();
        r.client.set(a);
        return r;
    }

    @Override
    public ClientAddress client() {
        return client;
    }

    @Override
    public String header(CharSequence name) {
        return headers.get(name);
    }
}
