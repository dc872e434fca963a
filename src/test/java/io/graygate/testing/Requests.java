package io.graygate.testing;

import io.graygate.routing.ClientAddress;
import io.graygate.routing.IpAddress;
import io.graygate.routing.RequestView;

/** Requests reduced to what rules read, for deciding without a proxy. */
public final class Requests {

    private Requests() {
    }

    /** A request from {@code ip} with no headers. */
    public static RequestView fromClient(String ip) {
        IpAddress a = IpAddress.parse(ip);
        if (a == null) throw new IllegalArgumentException("not an IP address: " + ip);
        ClientAddress client = new ClientAddress(a);
        return new RequestView() {
            @Override
            public ClientAddress client() {
                return client;
            }

            @Override
            public String header(CharSequence name) {
                return null;
            }
        };
    }
}
