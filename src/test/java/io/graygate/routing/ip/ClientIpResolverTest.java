package io.graygate.routing.ip;


import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ClientIpResolverTest {

    private final ClientIpResolver resolver = new ClientIpResolver(IpSet.parse(List.of("127.0.0.1/32", "10.0.0.0/8", "::1")));

    @ParameterizedTest(name = "peer {0}, X-Real-IP [{1}], X-Forwarded-For [{2}] -> {3}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
            // untrusted peers are the client, whatever they claim
            "203.0.113.7 | 10.9.9.9     | -                            | 203.0.113.7",
            "203.0.113.7 | -            | 10.9.9.9                     | 203.0.113.7",
            // a trusted peer's X-Real-IP is believed first
            "127.0.0.1   | 192.0.2.1    | 198.51.100.1                 | 192.0.2.1",
            "::1         | 2001:db8::5  | -                            | 2001:db8::5",
            // X-Forwarded-For is walked right to left past trusted proxies
            "127.0.0.1   | -            | 192.0.2.1, 198.51.100.2      | 198.51.100.2",
            "127.0.0.1   | -            | 192.0.2.1, 10.1.1.1          | 192.0.2.1",
            "127.0.0.1   | -            | 192.0.2.1,10.1.1.1,10.2.2.2  | 192.0.2.1",
            "127.0.0.1   | -            | 10.1.1.1, 10.2.2.2           | 10.1.1.1",
            "127.0.0.1   | -            | 2001:db8::7, ::1             | 2001:db8::7",
            "127.0.0.1   | -            | '[192.0.2.4], 10.1.1.1'      | 192.0.2.4",
            "127.0.0.1   | -            | ', 10.1.1.1'                 | 10.1.1.1",
            // malformed values are ignored: the peer is used, the request never fails
            "127.0.0.1   | not-an-ip    | -                            | 127.0.0.1",
            "127.0.0.1   | not-an-ip    | 192.0.2.9                    | 127.0.0.1",
            "127.0.0.1   | ''           | 192.0.2.9                    | 127.0.0.1",
            "127.0.0.1   | 192.0.2.1/24 | 192.0.2.9                    | 127.0.0.1",
            "127.0.0.1   | 192.0.2.1, 198.51.100.1 | 192.0.2.9         | 127.0.0.1",
            "127.0.0.1   | 999.0.2.1    | -                            | 127.0.0.1",
            "127.0.0.1   | -            | 192.0.2.1, garbage           | 127.0.0.1",
            "127.0.0.1   | -            | ''                           | 127.0.0.1",
            "127.0.0.1   | -            | -                            | 127.0.0.1",
    })
    void believesHeadersOnlyFromTrustedProxies(String peer, String realIp, String xff, String expected) {
        HttpHeaders h = new DefaultHttpHeaders();
        if (realIp != null) h.add("X-Real-IP", realIp);
        if (xff != null) h.add("X-Forwarded-For", xff);
        assertThat(resolver.resolve(IpAddress.parse(peer), h)).isEqualTo(IpAddress.parse(expected));
    }

    @ParameterizedTest(name = "no trusted proxies: peer {0} is the client")
    @CsvSource({"127.0.0.1", "::1"})
    void withNoTrustedProxiesTheSocketPeerIsTheClient(String peer) {
        HttpHeaders h = new DefaultHttpHeaders().add("X-Real-IP", "10.9.9.9").add("X-Forwarded-For", "10.9.9.9");
        assertThat(new ClientIpResolver(IpSet.EMPTY).resolve(IpAddress.parse(peer), h)).isEqualTo(IpAddress.parse(peer));
    }

    @Test
    void aHeldClientAddressIsRewrittenForEachRequestOnAConnection() {
        IpAddress peer = IpAddress.parse("127.0.0.1");
        ClientAddress held = new ClientAddress();
        resolver.resolve(peer, new DefaultHttpHeaders().add("X-Forwarded-For", "192.0.2.1"), held);
        assertThat(held.toIpAddress()).isEqualTo(IpAddress.parse("192.0.2.1"));
        resolver.resolve(peer, new DefaultHttpHeaders(), held);
        assertThat(held.is(peer)).isTrue();
        resolver.resolve(peer, new DefaultHttpHeaders().add("X-Real-IP", "2001:db8::5"), held);
        assertThat(held.toString()).isEqualTo("2001:db8::5");
        resolver.resolve(peer, new DefaultHttpHeaders().add("X-Forwarded-For", "192.0.2.1, garbage"), held);
        assertThat(held.is(peer)).isTrue();
        resolver.resolve(peer, new DefaultHttpHeaders().add("X-Forwarded-For", "10.1.1.1, 10.2.2.2"), held);
        assertThat(held.toString()).isEqualTo("10.1.1.1");
    }

    @Test
    void severalForwardedForLinesReadAsOneListInOrder() {
        HttpHeaders h = new DefaultHttpHeaders().add("X-Forwarded-For", "192.0.2.1").add("X-Forwarded-For", "198.51.100.3, 10.0.0.1");
        assertThat(resolver.resolve(IpAddress.parse("127.0.0.1"), h)).isEqualTo(IpAddress.parse("198.51.100.3"));
    }

    @ParameterizedTest(name = "trusted {0}: peer {1} trusted: {2}")
    @CsvSource({
            "::/0,          127.0.0.1,        false",
            "::/0,          ::ffff:127.0.0.1, false",
            "::/0,          ::1,              true",
            "::/80,         10.0.0.1,         false",
            "0.0.0.0/0,     ::1,              false",
            "10.0.0.0/8,    ::ffff:10.0.0.1,  true",
            "::ffff:10.0.0.0/104, 10.0.0.1,   true",
    })
    void trustedProxiesKeepIpv4AndIpv6Apart(String trusted, String peer, boolean believed) {
        ClientIpResolver r = new ClientIpResolver(IpSet.parse(List.of(trusted)));
        HttpHeaders h = new DefaultHttpHeaders().add("X-Real-IP", "192.0.2.1");
        IpAddress p = IpAddress.parse(peer);
        assertThat(r.trusts(p)).isEqualTo(believed);
        assertThat(r.resolve(p, h)).isEqualTo(believed ? IpAddress.parse("192.0.2.1") : p);
    }
}
