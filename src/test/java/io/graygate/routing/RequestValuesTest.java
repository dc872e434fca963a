package io.graygate.routing;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The in-place cookie scan finds what a plain split of the header on ';' and '=' finds, whatever the spacing. */
class RequestValuesTest {

    /** The header split the plain way: pairs between ';', the name up to the first '=', spaces trimmed as documented. */
    private static String reference(String header, String name) {
        int pairStart = 0;
        for (String pair : header.split(";", -1)) {
            int s = 0;
            while (s < pair.length() && (pair.charAt(s) == ' ' || pair.charAt(s) == '\t')) s++;
            int eq = pair.indexOf('=');
            if (eq >= s) {
                int nameEnd = eq;
                while (nameEnd > s && pair.charAt(nameEnd - 1) == ' ') nameEnd--;
                if (pair.substring(s, nameEnd).equals(name)) {
                    int v = eq + 1, e = pair.length();
                    while (v < e && pair.charAt(v) == ' ') v++;
                    while (e > v && (pair.charAt(e - 1) == ' ' || pair.charAt(e - 1) == '\t')) e--;
                    return (pairStart + v) + ":" + (pairStart + e);
                }
            }
            pairStart += pair.length() + 1;
        }
        return "absent";
    }

    private static String found(String header, String name) {
        long at = RequestValues.cookie(header, name);
        return at == RequestValues.ABSENT ? "absent" : RequestValues.from(at) + ":" + RequestValues.to(at);
    }

    @Test
    void theCookieScanAgreesWithAPlainSplitOverRandomHeaders() {
        Random random = new Random(9);
        String alphabet = "aab==;; \t\tx";
        for (int i = 0; i < 200_000; i++) {
            StringBuilder h = new StringBuilder();
            int n = random.nextInt(24);
            for (int j = 0; j < n; j++) h.append(alphabet.charAt(random.nextInt(alphabet.length())));
            String header = h.toString();
            for (String name : new String[] {"a", "ab", "b", "x"}) {
                assertThat(found(header, name)).as("cookie %s in \"%s\"", name, header).isEqualTo(reference(header, name));
            }
        }
    }

    @Test
    void theFirstCookieOfANameWinsAndItsValueIsAsSent() {
        String header = "theme=dark; lang = en-GB ;ab=a; ab=b; uid=%62";
        assertThat(found(header, "ab")).isEqualTo(header.indexOf("a;") + ":" + (header.indexOf("a;") + 1));
        assertThat(found(header, "lang")).isEqualTo(header.indexOf("en") + ":" + (header.indexOf("en") + 5));
        assertThat(found(header, "uid")).isEqualTo(header.indexOf("%62") + ":" + header.length());
        assertThat(found(header, "AB")).isEqualTo("absent");
        assertThat(found(null, "ab")).isEqualTo("absent");
    }
}
