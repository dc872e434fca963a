package io.graygate.config;

/** A configuration problem; the message starts with the YAML path of the bad value, e.g. {@code routes[0].stable: ...}. */
public final class ConfigException extends RuntimeException {

    public ConfigException(String message) {
        super(message);
    }

    static ConfigException at(String path, String problem) {
        return new ConfigException(path + ": " + problem);
    }
}
