package io.graygate.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest {

    /** A valid configuration; each bad case below changes one thing in it. */
    static final String GOOD = """
            listen: 127.0.0.1:8080
            admin:
              listen: 127.0.0.1:9090
            clientIp:
              trustedProxies: [10.0.0.0/8]
            upstreams:
              production:
                servers: ["127.0.0.1:9001"]
              gray:
                servers: ["127.0.0.1:9002"]
            routes:
              - name: demo
                pathPrefix: /
                stable: production
                gray: gray
                whitelist: ["192.168.2.165"]
            """;

    static GatewayConfig parse(String yaml) {
        return ConfigLoader.parse(yaml, Map.of());
    }

    static String changed(String from, String to) {
        assertThat(GOOD).contains(from);
        return GOOD.replace(from, to);
    }

    @Test
    void theBaseConfigurationIsValid() {
        GatewayConfig c = parse(GOOD);
        assertThat(c.listen()).isEqualTo(new HostPort("127.0.0.1", 8080));
        assertThat(c.routes()).extracting(RouteConfig::name).containsExactly("demo");
        assertThat(c.upstreams().get("gray").servers()).containsExactly(ServerConfig.of("127.0.0.1:9002"));
    }

    static Stream<Arguments> badConfigurations() {
        return Stream.of(
                Arguments.of("unknown top-level key", GOOD + "colour: blue\n",
                        "colour: unknown key; known keys here: [listen, listeners, admin, store, clientIp, upstreams, routes, proxy, audit]"),
                Arguments.of("unknown key in a route", changed("    gray: gray\n", "    gray: gray\n    weight: 5\n"),
                        "routes[0].weight: unknown key; known keys here: [name, pathPrefix, host, upstreamHost, versions, baseline, ipSets, rules, stable, gray, mode, whitelist, whitelistKey, stripPrefix]"),
                Arguments.of("misspelt key in an upstream", changed("    servers: [\"127.0.0.1:9002\"]", "    hosts: [\"127.0.0.1:9002\"]"),
                        "upstreams.gray.hosts: unknown key; known keys here: [servers, maxFails, failTimeout, healthCheck, pathPrefix, tls, resolve]"),
                Arguments.of("zero weight", changed("[\"127.0.0.1:9002\"]", "[\"127.0.0.1:9002\", {address: \"127.0.0.1:9003\", weight: 0}]"),
                        "upstreams.gray.servers[1].weight: must be at least 1, got 0"),
                Arguments.of("unknown key of a server", changed("[\"127.0.0.1:9002\"]", "[{address: \"127.0.0.1:9003\", wieght: 2}]"),
                        "upstreams.gray.servers[0].wieght: unknown key; known keys here: [address, weight, maxFails, failTimeout]"),
                Arguments.of("negative maxFails", changed("[\"127.0.0.1:9002\"]", "[\"127.0.0.1:9002\"]\n    maxFails: -1"),
                        "upstreams.gray.maxFails: must be 0 (never marked down) or more, got -1"),
                Arguments.of("unreadable upstream CA file", changed("[\"127.0.0.1:9002\"]", "[\"https://127.0.0.1:9002\"]\n    tls: {ca: /nonexistent/ca.pem}"),
                        "upstreams.gray.tls.ca: cannot read \"/nonexistent/ca.pem\""),
                Arguments.of("a path in a server", changed("[\"127.0.0.1:9002\"]", "[\"https://127.0.0.1:9002/bee\"]"),
                        "upstreams.gray.servers[0]: a server is host and port only, got \"https://127.0.0.1:9002/bee\"; a path goes in the group's pathPrefix"),
                Arguments.of("group pathPrefix without a slash", changed("[\"127.0.0.1:9002\"]", "[\"127.0.0.1:9002\"]\n    pathPrefix: bee"),
                        "upstreams.gray.pathPrefix: must start with '/', got \"bee\""),
                Arguments.of("health check status", changed("[\"127.0.0.1:9002\"]", "[\"127.0.0.1:9002\"]\n    healthCheck: {expectStatus: 2yy}"),
                        "upstreams.gray.healthCheck.expectStatus: expected a status such as 200, 2xx or 200-399, got \"2yy\""),
                Arguments.of("unknown nextUpstream", GOOD + "proxy:\n  nextUpstream: [error, http_502]\n",
                        "proxy.nextUpstream[1]: expected error, timeout or off, got \"http_502\""),
                Arguments.of("unknown transport", GOOD + "proxy: {transport: kqueue}\n",
                        "proxy.transport: expected one of auto, io_uring, epoll, nio, got \"kqueue\""),
                Arguments.of("missing upstream", changed("stable: production", "stable: prod"),
                        "routes[0].stable: no upstream named \"prod\""),
                Arguments.of("missing gray group", changed("    gray: gray\n    whitelist", "    gray: canary\n    whitelist"),
                        "routes[0].gray: no upstream named \"canary\""),
                Arguments.of("route without a stable group", changed("    stable: production\n", ""),
                        "routes[0].stable: is required (the production upstream group)"),
                Arguments.of("upstream without servers", changed("[\"127.0.0.1:9002\"]", "[]"),
                        "upstreams.gray.servers: at least one server is required"),
                Arguments.of("bad CIDR in a whitelist", changed("[\"192.168.2.165\"]", "[\"192.168.2.165\", \"10.1.2.0/16\"]"),
                        "routes[0].whitelist[1]: \"10.1.2.0/16\" has host bits set; did you mean 10.1.0.0/16?"),
                Arguments.of("not an address in a whitelist", changed("[\"192.168.2.165\"]", "[\"192.168.2.1650\"]"),
                        "routes[0].whitelist[0]: not an IP address or CIDR: \"192.168.2.1650\""),
                Arguments.of("bad CIDR in trusted proxies", changed("[10.0.0.0/8]", "[10.0.0.0/40]"),
                        "clientIp.trustedProxies[0]: prefix length of \"10.0.0.0/40\" must be 0..32"),
                Arguments.of("duplicate route name", GOOD + "  - name: demo\n    pathPrefix: /other\n    stable: production\n    gray: gray\n",
                        "routes[1].name: duplicate route name \"demo\""),
                Arguments.of("duplicate key", GOOD + "listen: 127.0.0.1:8081\n",
                        "listen: duplicate key (line 17)"),
                Arguments.of("duplicate key in an upstream", changed("    servers: [\"127.0.0.1:9002\"]", "    servers: [\"127.0.0.1:9002\"]\n    servers: []"),
                        "upstreams.gray.servers: duplicate key (line 11)"),
                Arguments.of("listen without a port", changed("listen: 127.0.0.1:8080", "listen: localhost"),
                        "listen: expected host:port, got \"localhost\""),
                Arguments.of("listen port out of range", changed("listen: 127.0.0.1:8080", "listen: 127.0.0.1:80800"),
                        "listen: port 80800 is not in 0..65535"),
                Arguments.of("IPv6 listen without brackets", changed("listen: 127.0.0.1:8080", "listen: \"::1:8080\""),
                        "listen: write an IPv6 address in brackets: \"[::1]:port\""),
                Arguments.of("listen and listeners together", GOOD + "listeners: [{address: 127.0.0.1:8443}]\n",
                        "listen: give either listen (one plain address) or listeners, not both"),
                Arguments.of("an empty list of listeners", changed("listen: 127.0.0.1:8080", "listeners: []"),
                        "listeners: at least one listener is required"),
                Arguments.of("a listener without an address", changed("listen: 127.0.0.1:8080", "listeners: [{tls: {certificates: [{cert: a.pem, key: k.pem}]}}]"),
                        "listeners[0].address: required (host:port)"),
                Arguments.of("two listeners on one address", changed("listen: 127.0.0.1:8080", "listeners: [{address: 127.0.0.1:80}, {address: 127.0.0.1:80}]"),
                        "listeners[1].address: another listener already has 127.0.0.1:80"),
                Arguments.of("TLS without certificates", changed("listen: 127.0.0.1:8080", "listeners: [{address: 127.0.0.1:443, tls: {certificates: []}}]"),
                        "listeners[0].tls.certificates: at least one {cert, key} is required"),
                Arguments.of("a certificate without its key", changed("listen: 127.0.0.1:8080", "listeners: [{address: 127.0.0.1:443, tls: {certificates: [{cert: a.pem}]}}]"),
                        "listeners[0].tls.certificates[0].key: required (a PEM file)"),
                Arguments.of("an old TLS version", changed("listen: 127.0.0.1:8080",
                                "listeners: [{address: 127.0.0.1:443, tls: {certificates: [{cert: a.pem, key: k.pem}], protocols: [TLSv1.3, TLSv1.1]}}]"),
                        "listeners[0].tls.protocols[1]: expected TLSv1.3 or TLSv1.2, got \"TLSv1.1\""),
                Arguments.of("unknown key in tls", changed("listen: 127.0.0.1:8080",
                                "listeners: [{address: 127.0.0.1:443, tls: {certificates: [{cert: a.pem, key: k.pem}], ocsp: true}}]"),
                        "listeners[0].tls.ocsp: unknown key; known keys here: [certificates, protocols, ciphers]"),
                Arguments.of("bad admin listen address", changed("  listen: 127.0.0.1:9090", "  listen: 127.0.0.1:http"),
                        "admin.listen: expected host:port, got \"127.0.0.1:http\""),
                Arguments.of("unknown mode", changed("    gray: gray\n", "    gray: gray\n    mode: blue\n"),
                        "routes[0].mode: unknown mode \"blue\"; expected gray, all-gray or all-production"),
                Arguments.of("bad duration", GOOD + "proxy:\n  connectTimeout: 5 seconds\n",
                        "proxy.connectTimeout: expected a duration such as 250ms, 5s or 2m, got \"5 seconds\""),
                Arguments.of("unsupported store", GOOD + "store: mysql://db\n",
                        "store: expected file:PATH, redis://, rediss:// or redis-sentinel://, got \"mysql://db\""),
                Arguments.of("broken YAML", "routes: [\n",
                        "not valid YAML: while parsing a flow node; expected the node content, but found '<stream end>' (line 1)"),
                Arguments.of("empty file", "\n",
                        "the configuration is empty"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badConfigurations")
    void aBadConfigurationIsRefusedWithThePathOfTheBadValue(String what, String yaml, String message) {
        assertThatThrownBy(() -> parse(yaml)).isInstanceOf(ConfigException.class).hasMessage(message);
    }

    @Test
    void listenersListPlainAndTlsAddressesAndTheFirstIsTheListenAddress() {
        GatewayConfig c = parse(changed("listen: 127.0.0.1:8080", """
                listeners:
                  - address: 0.0.0.0:443
                    tls:
                      certificates:
                        - {cert: /etc/graygate/a.pem, key: /etc/graygate/a.key}
                        - {cert: /etc/graygate/b.pem, key: /etc/graygate/b.key}
                      protocols: [TLSv1.3]
                  - address: 0.0.0.0:80"""));
        assertThat(c.listeners()).hasSize(2);
        assertThat(c.listen()).isEqualTo(new HostPort("0.0.0.0", 443));
        TlsConfig tls = c.listeners().get(0).tls();
        assertThat(tls.certificates()).extracting(CertificateConfig::cert).containsExactly(Path.of("/etc/graygate/a.pem"), Path.of("/etc/graygate/b.pem"));
        assertThat(tls.protocols()).containsExactly("TLSv1.3");
        assertThat(tls.ciphers()).isNull();
        assertThat(c.listeners().get(1).isTls()).isFalse();
        assertThat(c.withListen(new HostPort("127.0.0.1", 0)).listeners().get(0).tls()).as("--listen keeps TLS").isEqualTo(tls);
    }

    @Test
    void theSingleListenStaysAPlainListenerAndTlsDefaultsToVersionsOneThreeAndOneTwo() {
        assertThat(parse(GOOD).listeners()).containsExactly(ListenerConfig.plain(new HostPort("127.0.0.1", 8080)));
        GatewayConfig c = parse(changed("listen: 127.0.0.1:8080", "listeners: [{address: 127.0.0.1:443, tls: {certificates: [{cert: a.pem, key: k.pem}]}}]"));
        assertThat(c.listeners().get(0).tls().protocols()).containsExactly("TLSv1.3", "TLSv1.2");
    }

    @Test
    void variablesAreSubstitutedWithTheirDefaultsWhenUnsetOrEmpty() {
        String yaml = """
                listen: ${LISTEN:-127.0.0.1:8080}
                admin:
                  listen: ${ADMIN_LISTEN:-127.0.0.1:9090}
                  token: ${TOKEN}
                store: file:${RULES_DIR:-/var/lib/graygate}/rules.json
                """;
        GatewayConfig c = ConfigLoader.parse(yaml, Map.of("LISTEN", "0.0.0.0:80", "ADMIN_LISTEN", "", "TOKEN", "t0k3n"));
        assertThat(c.listen()).isEqualTo(new HostPort("0.0.0.0", 80));
        assertThat(c.admin().listen()).isEqualTo(new HostPort("127.0.0.1", 9090));
        assertThat(c.admin().token()).isEqualTo("t0k3n");
        assertThat(c.store()).isEqualTo("file:/var/lib/graygate/rules.json");
    }

    @Test
    void anUnsetVariableWithoutADefaultIsRefusedByName() {
        assertThatThrownBy(() -> ConfigLoader.parse("admin:\n  token: ${GRAYGATE_TEST_TOKEN}\n", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("admin.token: ${GRAYGATE_TEST_TOKEN}: environment variable is not set (write ${GRAYGATE_TEST_TOKEN:-default} for a default)");
    }

    @ParameterizedTest(name = "TOKEN={0} is the token, character for character")
    @ValueSource(strings = {"ab #cd", "*alias", "&anchor x", "a: b", "k:v", "\"quoted\"", "it's", "line1\nline2",
            "[1, 2]", "{a: b}", "!!int 3", "- item", "|", "% x", "@at", "`tick`", "${NOT_A_VARIABLE}", "x ${HOME} y"})
    void aVariableIsSubstitutedIntoTheParsedValueNeverIntoTheYamlText(String token) {
        String yaml = "admin:\n  token: ${TOKEN}   # a comment after it\n";
        assertThat(ConfigLoader.parse(yaml, Map.of("TOKEN", token)).admin().token()).isEqualTo(token);
    }

    @Test
    void aVariableInsideALongerValueKeepsTheRestOfIt() {
        String yaml = "store: file:${DIR}/rules.json # where the rules live\n";
        assertThat(ConfigLoader.parse(yaml, Map.of("DIR", "/srv/a #b *c &d: e")).store()).isEqualTo("file:/srv/a #b *c &d: e/rules.json");
    }

    @Test
    void scalarsWithoutAVariableReachBindingAsYamlReadThem() {
        GatewayConfig c = ConfigLoader.parse("admin:\n  token: 0123\nproxy:\n  nextUpstream: [off]\n", Map.of());
        assertThat(c.admin().token()).isEqualTo("0123");
        assertThat(c.proxy().nextUpstream()).isEqualTo(ConfigLoader.parse("proxy:\n  nextUpstream: [\"off\"]\n", Map.of()).proxy().nextUpstream());
    }

    @Test
    void aVariableInACommentIsNeverRead() {
        String yaml = "# token: ${UNSET_IN_A_COMMENT}\nadmin:\n  token: plain # or ${ALSO_UNSET}\n";
        assertThat(ConfigLoader.parse(yaml, Map.of()).admin().token()).isEqualTo("plain");
    }

    @Test
    void aValueThatIsOnlyAnEmptyVariableIsAnEmptyValue() {
        GatewayConfig c = ConfigLoader.parse("listen: ${LISTEN:-}\nadmin:\n  token: ${TOKEN}\n", Map.of("TOKEN", ""));
        assertThat(c.listen()).isEqualTo(GatewayConfig.DEFAULT_LISTEN);
        assertThat(c.admin().requiresToken()).isFalse();
    }

    @Test
    void anUnsetVariableInAListNamesItsIndex() {
        assertThatThrownBy(() -> ConfigLoader.parse("clientIp:\n  trustedProxies: [10.0.0.0/8, \"${PROXY}\"]\n", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("clientIp.trustedProxies[1]: ${PROXY}: environment variable is not set");
    }

    @Test
    void aSubstitutedValueIsValidatedLikeAWrittenOne() {
        assertThatThrownBy(() -> ConfigLoader.parse("listen: ${LISTEN:-nowhere}\n", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("listen: expected host:port, got \"nowhere\"");
    }

    @Test
    void aMissingFileIsNamed(@TempDir Path dir) {
        Path missing = dir.resolve("missing.yaml");
        assertThatThrownBy(() -> ConfigLoader.load(missing)).isInstanceOf(ConfigException.class).hasMessage(missing + ": no such file");
    }

    @Test
    void aFileIsReadLikeText(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("graygate.yaml"), GOOD);
        assertThat(ConfigLoader.load(file, Map.of()).routes()).hasSize(1);
    }
}
