package io.graygate.routing.ip;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;

import static org.assertj.core.api.Assertions.assertThat;

class IpAddressTest {

    @ParameterizedTest(name = "{0} parses to {1}")
    @CsvSource(delimiter = '|', value = {
            "192.168.2.165        | 192.168.2.165",
            "0.0.0.0              | 0.0.0.0",
            "255.255.255.255      | 255.255.255.255",
            " 10.1.2.3            | 10.1.2.3",
            "::1                  | ::1",
            "[::1]                | ::1",
            "2001:db8::1          | 2001:db8::1",
            "2001:DB8:0:0:0:0:0:1 | 2001:db8::1",
            "fe80::1%eth0         | fe80::1",
            "::                   | ::",
            "1::                  | 1::",
            "::ffff:10.9.9.9      | 10.9.9.9",
            "64:ff9b::1.2.3.4     | 64:ff9b::102:304",
            "1:2:3:4:5:6:7:8      | 1:2:3:4:5:6:7:8",
            "1:0:0:2:0:0:0:3      | 1:0:0:2::3",
            "::1.2.3.4            | ::102:304",
            "[192.0.2.1]          | 192.0.2.1",
    })
    void parsesAddressesToTheirCanonicalForm(String text, String canonical) {
        IpAddress a = IpAddress.parse(text);
        assertThat(a).isNotNull();
        assertThat(a.toString()).isEqualTo(canonical);
    }

    @ParameterizedTest(name = "\"{0}\" is not an address")
    @ValueSource(strings = {"", " ", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.-1", "01.2.3.4", "1..2.3", "a.b.c.d",
            "example.com", "1.2.3.4:80", ":::", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", "g::1", ":1::", "1:", "unknown",
            "1.2.3.4::", "1.2.3.4:", ":1.2.3.4", "1.2.3.4 5", "1.2.3.4]"})
    void rejectsWhatIsNotAnAddress(String text) {
        assertThat(IpAddress.parse(text)).isNull();
    }

    @ParameterizedTest(name = "\"{0}\" leaves the held address alone")
    @ValueSource(strings = {"", "1.2.3", "01.2.3.4", "1::2::3", "g::1", "1:", "unknown"})
    void parsingIntoAHeldAddressLeavesItAloneWhenTheTextIsNotAnAddress(String text) {
        ClientAddress held = new ClientAddress(IpAddress.parse("192.0.2.1"));
        assertThat(IpAddress.parse(text, 0, text.length(), held)).isFalse();
        assertThat(held.toIpAddress()).isEqualTo(IpAddress.parse("192.0.2.1"));
    }

    @ParameterizedTest(name = "\"{0}\" parses in place as it parses to a value")
    @ValueSource(strings = {"10.9.9.9", "[10.9.9.9]", "::", "::1", "::ffff:10.9.9.9", "2001:db8::5", "fe80::1%eth0"})
    void parsingInPlaceGivesTheSameAddressAsParsingToAValue(String text) {
        ClientAddress held = new ClientAddress(IpAddress.parse("192.0.2.1"));
        assertThat(IpAddress.parse(text, 0, text.length(), held)).isTrue();
        assertThat(held.toIpAddress()).isEqualTo(IpAddress.parse(text));
        assertThat(held.toString()).isEqualTo(IpAddress.parse(text).toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "10.9.9.9", "::1", "2001:db8:85a3::8a2e:370:7334"})
    void agreesWithTheJdkOnBytes(String text) throws Exception {
        assertThat(IpAddress.parse(text)).isEqualTo(IpAddress.of(InetAddress.getByName(text)));
        assertThat(IpAddress.parse(text).toInetAddress()).isEqualTo(InetAddress.getByName(text));
    }
}
