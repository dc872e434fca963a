package io.graygate.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Duration;

/**
 * One server of an upstream group: {@code "host:port"}, or {@code {address: "host:port", weight: 3, maxFails: 2,
 * failTimeout: 5s}} to weigh it or to override the group's passive-health settings for it.
 */
public record ServerConfig(ServerAddress address, int weight, Integer maxFails, Duration failTimeout) {

    public ServerConfig {
        if (address == null) throw new IllegalArgumentException("address: is required, e.g. \"10.0.0.1:8080\"");
        if (weight < 1) throw new IllegalArgumentException("weight: must be at least 1, got " + weight);
        if (maxFails != null && maxFails < 0) throw new IllegalArgumentException("maxFails: must be 0 (never marked down) or more, got " + maxFails);
    }

    /** The short form: just the address, weight 1, the group's health settings. */
    @JsonCreator
    public static ServerConfig of(String address) {
        return new ServerConfig(ServerAddress.parse(address), 1, null, null);
    }

    @JsonCreator
    public ServerConfig(@JsonProperty("address") String address,
                        @JsonProperty("weight") Integer weight,
                        @JsonProperty("maxFails") Integer maxFails,
                        @JsonProperty("failTimeout") String failTimeout) {
        this(parseAddress(address), weight == null ? 1 : weight, maxFails,
                failTimeout == null ? null : Durations.orDefault("failTimeout", failTimeout, null, Duration.ofMillis(1)));
    }

    private static ServerAddress parseAddress(String text) {
        if (text == null) throw new IllegalArgumentException("address: is required, e.g. \"10.0.0.1:8080\"");
        try {
            return ServerAddress.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("address: " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return address.toString();
    }
}
