package io.graygate.routing;

import io.graygate.config.RouteConfig;
import io.graygate.policy.Mode;
import io.graygate.routing.ip.IpSet;
import io.graygate.testing.HeldRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RouteTableTest {

    private static Route route(String name, String prefix, String host, Mode mode, String... whitelist) {
        RouteConfig rc = RouteConfig.shorthand(name, prefix, host, null, name + "-prod", name + "-gray", mode, List.of(whitelist), null);
        return RouteCompiler.compile(rc, rc.policy(), Map.of("whitelist", IpSet.parse(List.of(whitelist))), 1);
    }

    private final RouteTable table = new RouteTable(List.of(
            route("root", "/", null, Mode.GRAY),
            route("orders", "/order_center", null, Mode.GRAY),
            route("orders-v2", "/order_center/v2", null, Mode.GRAY),
            route("orders-api-host", "/order_center", "api.example.com", Mode.GRAY)));

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(nullValues = "-", value = {
            "-, /, root",
            "-, /index.html, root",
            "-, /order_center, orders",
            "-, /order_center/list, orders",
            "-, /order_center/v2/list, orders-v2",
            "api.example.com, /order_center/list, orders-api-host",
            "API.example.com, /order_center/list, orders-api-host",
            "api.example.com, /order_center/v2/x, orders-v2",
            "other.example.com, /order_center/x, orders",
    })
    void longestPrefixWinsAndHostBoundRoutesComeFirst(String host, String path, String expected) {
        assertThat(table.find(host, path).name()).isEqualTo(expected);
    }

    @Test
    void noRouteMatchesAPathOutsideEveryPrefix() {
        RouteTable t = new RouteTable(List.of(route("orders", "/order_center", null, Mode.GRAY)));
        assertThat(t.find("x", "/other")).isNull();
    }

    @Test
    void modesOverrideRulesAndRulesDecideInGrayMode() {
        RequestView listed = HeldRequest.fromClient("10.9.9.9");
        RequestView other = HeldRequest.fromClient("10.9.9.8");
        Route gray = route("r", "/", null, Mode.GRAY, "10.9.9.9");
        assertThat(gray.decide(listed).version()).isEqualTo("gray");
        assertThat(gray.decide(listed).upstream()).isEqualTo("r-gray");
        assertThat(gray.decide(listed).reason()).contains("whitelist");
        assertThat(gray.decide(other).version()).isEqualTo("production");
        assertThat(gray.decide(other).reason()).isEqualTo("no rule decided: the baseline");
        assertThat(gray.decide(other).rule()).isEqualTo(Decision.BASELINE);
        assertThat(gray.decide(listed).rule()).isEqualTo("whitelist");
        assertThat(route("r", "/", null, Mode.ALL_GRAY, "10.9.9.9").decide(other).version()).isEqualTo("gray");
        assertThat(route("r", "/", null, Mode.ALL_PRODUCTION, "10.9.9.9").decide(listed).version()).isEqualTo("production");
    }

    @Test
    void decidingTheSameRequestTwiceReturnsTheSameDecisionObject() {
        Route gray = route("r", "/", null, Mode.GRAY, "10.9.9.9");
        assertThat(gray.decide(HeldRequest.fromClient("10.9.9.9"))).isSameAs(gray.decide(HeldRequest.fromClient("10.9.9.9")));
    }

    @ParameterizedTest(name = "Host [{0}] on a route for {1}: {2}")
    @CsvSource(delimiter = '|', value = {
            "example.com:8080   | example.com | true",
            "Example.COM        | example.com | true",
            "example.com        | example.com | true",
            "[::1]:80           | [::1]       | true",
            "[::1]              | [::1]       | true",
            "example.com.evil   | example.com | false",
            "example.co         | example.com | false",
            "example.com.:80    | example.com | false",
            "www.example.com    | example.com | false",
            "[::1]:80           | [::2]       | false",
    })
    void aHostHeaderMatchesItsRouteWithOrWithoutAPort(String header, String routeHost, boolean matches) {
        Route r = route("r", "/", routeHost, Mode.GRAY);
        assertThat(r.matches(header, "/x")).isEqualTo(matches);
    }
}
