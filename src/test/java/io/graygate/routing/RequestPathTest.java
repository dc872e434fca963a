package io.graygate.routing;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class RequestPathTest {

    @ParameterizedTest(name = "{0} matches as {1}")
    @CsvSource({
            "/, /",
            "/order_center/list, /order_center/list",
            "/order_center/, /order_center/",
            "/public/../admin, /admin",
            "/public/%2e%2e/admin, /admin",
            "/public/..%2fadmin, /admin",
            "/a/./b, /a/b",
            "/a/b/., /a/b/",
            "/a/b/.., /a/",
            "/a//b, /a/b",
            "//a, /a",
            "/%61dmin, /admin",
            "/caf%C3%A9, /café",
            "/a/..., /a/...",
            "/.well-known/x, /.well-known/x",
            "/a/b/../../c, /c",
            "/.., -",
    })
    void normalizesThePathRoutesAreMatchedOn(String raw, String expected) {
        assertThat(RequestPath.normalize(raw)).isEqualTo("-".equals(expected) ? null : expected);
    }

    @ParameterizedTest(name = "{0} is refused")
    @ValueSource(strings = {"/../etc/passwd", "/a/../../b", "/%zz", "/%4", "/a%00b", "*", "relative"})
    void refusesPathsThatClimbAboveTheRootOrAreBadlyEncoded(String raw) {
        assertThat(RequestPath.normalize(raw)).isNull();
    }

    @org.junit.jupiter.api.Test
    void aPlainPathIsReturnedAsItIsWithoutACopy() {
        String p = "/order_center/list/42";
        assertThat(RequestPath.normalize(p)).isSameAs(p);
    }
}
