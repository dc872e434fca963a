package io.graygate.routing.ip;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.util.Random;

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

    /** The dotted quad as documented, the plain way: four decimal parts of 0..255, without leading zeros. */
    private static long referenceV4(String s) {
        if (!s.matches("(0|[1-9][0-9]{0,2})(\\.(0|[1-9][0-9]{0,2})){3}")) return -1;
        long v = 0;
        for (String part : s.split("\\.")) {
            int p = Integer.parseInt(part);
            if (p > 255) return -1;
            v = v << 8 | p;
        }
        return v;
    }

    @Test
    void aDottedQuadParsesAsThePlainDefinitionSaysOnRandomTextOfDigitsAndDots() {
        Random random = new Random(17);
        String alphabet = "0123456789.....:a ";
        int accepted = 0;
        for (int i = 0; i < 300_000; i++) {
            String s;
            if (i % 2 == 0) {
                int v = random.nextInt();
                s = (v >>> 24) + "." + (v >>> 16 & 0xFF) + "." + (v >>> 8 & 0xFF) + "." + (v & 0xFF);
                if (i % 4 == 0) { // one character changed, added or dropped
                    int at = random.nextInt(s.length());
                    char c = alphabet.charAt(random.nextInt(alphabet.length()));
                    s = switch (random.nextInt(3)) {
                        case 0 -> s.substring(0, at) + c + s.substring(at + 1);
                        case 1 -> s.substring(0, at) + c + s.substring(at);
                        default -> s.substring(0, at) + s.substring(at + 1);
                    };
                }
            } else {
                StringBuilder b = new StringBuilder();
                for (int n = random.nextInt(18); n > 0; n--) b.append(alphabet.charAt(random.nextInt(alphabet.length())));
                s = b.toString();
            }
            long expected = referenceV4(s);
            assertThat(IpAddress.parseV4(s, 0, s.length())).as("\"%s\"", s).isEqualTo(expected);
            assertThat(IpAddress.parseV4("x" + s + "y", 1, 1 + s.length())).as("\"%s\" inside", s).isEqualTo(expected);
            if (expected >= 0) accepted++;
        }
        assertThat(accepted).as("dotted quads accepted").isGreaterThan(75_000); // the 75,000 left as formatted, and some changed ones
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "10.9.9.9", "::1", "2001:db8:85a3::8a2e:370:7334"})
    void agreesWithTheJdkOnBytes(String text) throws Exception {
        assertThat(IpAddress.parse(text)).isEqualTo(IpAddress.of(InetAddress.getByName(text)));
        assertThat(IpAddress.parse(text).toInetAddress()).isEqualTo(InetAddress.getByName(text));
    }
}
