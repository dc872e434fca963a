package io.graygate.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How a group's host names are followed: re-resolved every {@code interval} (sooner when the answer's TTL is
 * shorter, never more often than once a second; {@code off} resolves them only at start and on reload), through
 * {@code nameservers} ({@code host:port}; empty: the system's, from /etc/resolv.conf, after /etc/hosts), each query
 * given up after {@code timeout}.
 */
public record ResolveConfig(Duration interval, List<HostPort> nameservers, Duration timeout) {

    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    public ResolveConfig {
        nameservers = List.copyOf(nameservers);
    }

    @JsonCreator
    public ResolveConfig(@JsonProperty("interval") String interval,
                         @JsonProperty("nameservers") List<String> nameservers,
                         @JsonProperty("timeout") String timeout) {
        this(interval(interval), nameservers(nameservers),
                Durations.orDefault("timeout", timeout, DEFAULT_TIMEOUT, Duration.ofMillis(10)));
    }

    public static ResolveConfig defaults() {
        return new ResolveConfig(DEFAULT_INTERVAL, List.of(), DEFAULT_TIMEOUT);
    }

    /** False with {@code interval: off}: names are resolved at start and on reload only. */
    public boolean follows() {
        return !interval.isZero();
    }

    private static Duration interval(String text) {
        if (text != null && (text.strip().equals("off") || text.strip().equals("0"))) return Duration.ZERO;
        return Durations.orDefault("interval", text, DEFAULT_INTERVAL, Duration.ofMillis(100));
    }

    private static List<HostPort> nameservers(List<String> texts) {
        if (texts == null) return List.of();
        List<HostPort> out = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            String t = texts.get(i);
            try {
                String s = t == null ? "" : t.strip();
                HostPort hp = io.graygate.routing.ip.IpAddress.parse(s) != null ? new HostPort(s, 53) : HostPort.parse(s);
                if (io.graygate.routing.ip.IpAddress.parse(hp.host()) == null) {
                    throw new IllegalArgumentException("a name server is an IP address with an optional port, got \"" + t + "\"");
                }
                out.add(hp);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("nameservers[" + i + "]: " + e.getMessage());
            }
        }
        return out;
    }
}
