package io.graygate.config;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** admin.tokens, audit and proxy.accessLogFormat: read, and refused whole naming the field. */
class AuditConfigTest {

    static String withAdmin(String admin, String extra) {
        return ConfigLoaderTest.changed("admin:\n  listen: 127.0.0.1:9090\n", "admin:\n  listen: 127.0.0.1:9090\n" + admin) + extra;
    }

    @Test
    void namedTokensAreReadBesideTheSingleTokenAndNeverPrinted() {
        GatewayConfig c = ConfigLoader.parse(withAdmin("""
                  token: root-secret
                  tokens:
                    - {name: deploy-bot, token: "${DEPLOY_TOKEN}"}
                    - {name: alice, token: alice-secret}
                """, ""), Map.of("DEPLOY_TOKEN", "bot-secret"));
        assertThat(c.admin().tokens()).extracting(AdminConfig.NamedToken::name).containsExactly("deploy-bot", "alice");
        assertThat(c.admin().tokens().get(0).token()).isEqualTo("bot-secret");
        assertThat(c.admin().requiresToken()).isTrue();
        assertThat(c.toString()).doesNotContain("secret").contains("tokens=[deploy-bot, alice]");
    }

    @Test
    void namedTokensAloneRequireAToken() {
        GatewayConfig c = ConfigLoaderTest.parse(withAdmin("  tokens: [{name: ci, token: x1}]\n", ""));
        assertThat(c.admin().token()).isEmpty();
        assertThat(c.admin().requiresToken()).isTrue();
    }

    @Test
    void theDefaultsAreAHundredThousandEntriesAndTenMegabyteFilesKeptFive() {
        GatewayConfig c = ConfigLoaderTest.parse(ConfigLoaderTest.GOOD);
        assertThat(c.audit()).isEqualTo(new AuditConfig(100_000, 10L * 1024 * 1024, 5));
        assertThat(c.proxy().accessLogJson()).isFalse();
        GatewayConfig set = ConfigLoaderTest.parse(ConfigLoaderTest.GOOD + "audit: {maxEntries: 500, maxFileSize: 64k, keepFiles: 2}\n"
                + "proxy: {accessLogFormat: json}\n");
        assertThat(set.audit()).isEqualTo(new AuditConfig(500, 65_536, 2));
        assertThat(set.proxy().accessLogJson()).isTrue();
    }

    static Stream<Arguments> bad() {
        return Stream.of(
                Arguments.of("duplicate name", withAdmin("  tokens: [{name: ci, token: a1}, {name: ci, token: b2}]\n", ""),
                        "admin.tokens[1].name: \"ci\" is taken by another token"),
                Arguments.of("the name of admin.token", withAdmin("  token: root\n  tokens: [{name: admin, token: b2}]\n", ""),
                        "admin.tokens[0].name: \"admin\" is taken by admin.token"),
                Arguments.of("duplicate secret", withAdmin("  tokens: [{name: ci, token: same}, {name: cd, token: same}]\n", ""),
                        "admin.tokens[1].token: the same secret as another token (or admin.token); each needs its own"),
                Arguments.of("the secret of admin.token", withAdmin("  token: same\n  tokens: [{name: ci, token: same}]\n", ""),
                        "admin.tokens[0].token: the same secret as another token (or admin.token); each needs its own"),
                Arguments.of("empty secret", withAdmin("  tokens: [{name: ci, token: \"${CI_TOKEN:-}\"}]\n", ""),
                        "admin.tokens[0].token: is empty (an unset ${VARIABLE}?); every named token needs a secret"),
                Arguments.of("no name", withAdmin("  tokens: [{token: abc}]\n", ""),
                        "admin.tokens[0].name: is required (the actor its changes are recorded under)"),
                Arguments.of("a name with a space", withAdmin("  tokens: [{name: deploy bot, token: abc}]\n", ""),
                        "admin.tokens[0].name: expected up to 64 letters, digits, '.', '_', '@', ':' or '-', got \"deploy bot\""),
                Arguments.of("unknown key", withAdmin("  tokens: [{name: ci, secret: abc}]\n", ""),
                        "admin.tokens[0].secret: unknown key; known keys here: [name, token]"),
                Arguments.of("access log format", ConfigLoaderTest.GOOD + "proxy: {accessLogFormat: xml}\n",
                        "proxy.accessLogFormat: expected text or json, got \"xml\""),
                Arguments.of("audit file size", ConfigLoaderTest.GOOD + "audit: {maxFileSize: 10 parsecs}\n",
                        "audit.maxFileSize: expected a size such as 10MB, 512k or 1048576, got \"10 parsecs\""),
                Arguments.of("audit file too small", ConfigLoaderTest.GOOD + "audit: {maxFileSize: 100}\n",
                        "audit.maxFileSize: must be at least 4096 bytes, got 100"),
                Arguments.of("audit entries", ConfigLoaderTest.GOOD + "audit: {maxEntries: 0}\n",
                        "audit.maxEntries: must be at least 1, got 0"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bad")
    void aBadSettingIsRefusedNamingItsField(String what, String yaml, String message) {
        assertThatThrownBy(() -> ConfigLoader.parse(yaml, Map.of())).isInstanceOf(ConfigException.class).hasMessage(message);
    }
}
