package io.graygate.policy;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The three modes of graygate's first release, kept as names for a route's override: {@code gray} is no override
 * (the rules decide), {@code all-gray} is an override to the gray version, {@code all-production} an override to the
 * baseline.
 */
public enum Mode {
    GRAY("gray"),
    ALL_GRAY("all-gray"),
    ALL_PRODUCTION("all-production");

    private final String text;

    Mode(String text) {
        this.text = text;
    }

    @JsonValue
    public String text() {
        return text;
    }

    @JsonCreator
    public static Mode parse(String text) {
        for (Mode m : values()) {
            if (m.text.equals(text)) return m;
        }
        throw new IllegalArgumentException("unknown mode \"" + text + "\"; expected gray, all-gray or all-production");
    }

    @Override
    public String toString() {
        return text;
    }
}
