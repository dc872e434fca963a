package io.graygate.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Duration;

/**
 * Active health checks of a group: every {@code interval} each server gets {@code GET path}; an answer with a status
 * in {@code expectStatus} within {@code timeout} passes. {@code unhealthy} failures in a row take a server out,
 * {@code healthy} passes in a row bring it back.
 */
public record HealthCheckConfig(String path, Duration interval, Duration timeout, int healthy, int unhealthy,
                                int expectLow, int expectHigh) {

    @JsonCreator
    public HealthCheckConfig(@JsonProperty("path") String path,
                             @JsonProperty("interval") String interval,
                             @JsonProperty("timeout") String timeout,
                             @JsonProperty("healthy") Integer healthy,
                             @JsonProperty("unhealthy") Integer unhealthy,
                             @JsonProperty("expectStatus") String expectStatus) {
        this(checkedPath(path),
                Durations.orDefault("interval", interval, Duration.ofSeconds(5), Duration.ofMillis(10)),
                Durations.orDefault("timeout", timeout, Duration.ofSeconds(2), Duration.ofMillis(10)),
                atLeastOne("healthy", healthy, 2),
                atLeastOne("unhealthy", unhealthy, 2),
                statusRange(expectStatus)[0], statusRange(expectStatus)[1]);
    }

    public boolean expects(int status) {
        return status >= expectLow && status <= expectHigh;
    }

    private static String checkedPath(String path) {
        if (path == null) return "/";
        if (!path.startsWith("/")) throw new IllegalArgumentException("path: must start with '/', got \"" + path + "\"");
        if (path.chars().anyMatch(c -> c <= ' ' || c >= 0x7f)) throw new IllegalArgumentException("path: must not hold spaces or control characters");
        return path;
    }

    private static int atLeastOne(String field, Integer value, int fallback) {
        if (value == null) return fallback;
        if (value < 1) throw new IllegalArgumentException(field + ": must be at least 1, got " + value);
        return value;
    }

    /** "200", "2xx" or "200-399"; the default takes any 2xx or 3xx. */
    private static int[] statusRange(String text) {
        if (text == null) return new int[] {200, 399};
        String s = text.strip().toLowerCase(java.util.Locale.ROOT);
        try {
            if (s.matches("[1-5]xx")) {
                int hundred = (s.charAt(0) - '0') * 100;
                return new int[] {hundred, hundred + 99};
            }
            int dash = s.indexOf('-');
            int lo = Integer.parseInt(dash < 0 ? s : s.substring(0, dash).strip());
            int hi = dash < 0 ? lo : Integer.parseInt(s.substring(dash + 1).strip());
            if (lo >= 100 && hi <= 599 && lo <= hi) return new int[] {lo, hi};
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("expectStatus: expected a status such as 200, 2xx or 200-399, got \"" + text + "\"");
    }
}
