package io.graygate.config;

import java.time.Duration;

/** Reads the duration syntax of the config: "250ms", "5s", "2m". */
final class Durations {

    private Durations() {
    }

    static Duration parse(String path, String text) {
        if (text == null) return null;
        String s = text.strip();
        try {
            if (s.endsWith("ms")) return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2).strip()));
            if (s.endsWith("s")) return Duration.ofMillis(Math.round(Double.parseDouble(s.substring(0, s.length() - 1).strip()) * 1000));
            if (s.endsWith("m")) return Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1).strip()) * 60);
        } catch (NumberFormatException e) {
            // fall through to the message below
        }
        throw ConfigException.at(path, "expected a duration such as 250ms, 5s or 2m, got \"" + text + "\"");
    }

    static Duration orDefault(String path, String text, Duration fallback, Duration min) {
        Duration d = text == null ? fallback : parse(path, text);
        if (d.compareTo(min) < 0) throw ConfigException.at(path, "must be at least " + min.toMillis() + "ms, got " + text);
        return d;
    }
}
