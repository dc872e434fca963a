package io.graygate.proxy;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Which targets and Host values route, and as what; the rest are 400. */
class RequestTargetTest {

    /** hosts: the Host lines, '|' separated in the table as ';' (empty: none); result "host origin path" or the 400's reason. */
    private static String parse(String target, String hosts, boolean hostRequired) {
        HttpHeaders h = new DefaultHttpHeaders(false);
        if (hosts != null) for (String host : hosts.split(";", -1)) h.add("Host", host);
        try {
            RequestTarget t = RequestTarget.parse(target, h, hostRequired);
            assertThat(h.get("Host")).isEqualTo(t.host());
            return t.host() + " " + t.origin() + " " + t.path();
        } catch (ProxyException e) {
            assertThat(e.status().code()).isEqualTo(400);
            return e.getMessage().substring("400 Bad Request: ".length());
        }
    }

    @ParameterizedTest(name = "{0} Host: {1} -> {2}")
    @CsvSource(delimiter = '|', nullValues = "NONE", value = {
            "/a?b=1                    | app.test          | app.test /a?b=1 /a",
            "/                         | app.test:8080     | app.test:8080 / /",
            "/                         | 127.0.0.1         | 127.0.0.1 / /",
            "/                         | [::1]:80          | [::1]:80 / /",
            "/                         | a%2Db.test        | a%2Db.test / /",
            "/                         | app.test:         | app.test: / /",
            "/                         | NONE              | no Host header",
            "/                         | a;a               | more than one Host header",
            "/                         | a;b               | more than one Host header",
            "/                         | ''                | invalid Host \"\"",
            "/                         | a b               | invalid Host \"a b\"",
            "/                         | a/b               | invalid Host \"a/b\"",
            "/                         | user@a            | invalid Host \"user@a\"",
            "/                         | a:80:80           | invalid Host \"a:80:80\"",
            "/                         | a:99999           | invalid Host \"a:99999\"",
            "/                         | a:8x              | invalid Host \"a:8x\"",
            "/                         | [::1              | invalid Host \"[::1\"",
            "/                         | [zz]              | invalid Host \"[zz]\"",
            "/                         | a%2               | invalid Host \"a%2\"",
            "/a#frag                   | a                 | a fragment in the request target",
            "http://b.test/x?y         | a                 | b.test /x?y /x",
            "HTTP://b.test             | a                 | b.test / /",
            "https://b.test?q          | a                 | b.test /?q /",
            "http://b.test:81/x        | NONE              | no Host header",
            "http://u@b.test/x         | a                 | userinfo in the request target",
            "http://u:p@b.test/x       | a                 | userinfo in the request target",
            "http:///x                 | a                 | an empty authority in the request target",
            "http://b test/x           | a                 | invalid authority in \"http://b test/x\"",
            "ftp://b.test/x            | a                 | invalid request target \"ftp://b.test/x\"",
            "x                         | a                 | invalid request target \"x\"",
            "*                         | a                 | a * *",
    })
    void http11(String target, String hosts, String expected) {
        assertThat(parse(target.strip(), hosts == null ? null : hosts.strip().replace("''", ""), true)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} Host: {1} -> {2}")
    @CsvSource(delimiter = '|', nullValues = "NONE", value = {
            "/a     | NONE      | null /a /a",
            "/a     | a         | a /a /a",
            "/a     | a;a       | more than one Host header",
    })
    void http10MayLeaveHostOut(String target, String hosts, String expected) {
        assertThat(parse(target.strip(), hosts == null ? null : hosts.strip(), false)).isEqualTo(expected);
    }
}
