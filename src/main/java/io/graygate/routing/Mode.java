package io.graygate.routing;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** How a route chooses a version: by its rules, or everyone to one side (the blue-green switch). */
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
