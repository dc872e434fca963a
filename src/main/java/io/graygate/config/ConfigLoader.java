package io.graygate.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the YAML configuration: substitutes ${VAR} and ${VAR:-default}, refuses unknown keys, names the path of any error. */
public final class ConfigLoader {

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?}");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private ConfigLoader() {
    }

    public static GatewayConfig load(Path file) {
        return load(file, System.getenv());
    }

    public static GatewayConfig load(Path file, Map<String, String> env) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": no such file");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        }
        return parse(text, env);
    }

    public static GatewayConfig parse(String yaml, Map<String, String> env) {
        String substituted = substitute(yaml, env);
        try {
            GatewayConfig config = YAML.readValue(substituted, GatewayConfig.class);
            if (config == null) throw new ConfigException("the configuration is empty");
            return config;
        } catch (UnrecognizedPropertyException e) {
            throw new ConfigException(path(e) + ": unknown key; known keys here: " + e.getKnownPropertyIds());
        } catch (JsonMappingException e) {
            throw new ConfigException(describe(e));
        } catch (JsonProcessingException e) {
            throw new ConfigException("not valid YAML: " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"));
        }
    }

    static String substitute(String text, Map<String, String> env) {
        Matcher m = VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = env.get(m.group(1));
            if (value == null || (value.isEmpty() && m.group(2) != null)) value = m.group(2) != null ? m.group(3) : null;
            if (value == null) throw new ConfigException("${" + m.group(1) + "}: environment variable is not set (write ${" + m.group(1) + ":-default} for a default)");
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Turns Jackson's error into "routes[0].stable: problem", using the innermost message we wrote ourselves. */
    private static String describe(JsonMappingException e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) cause = cause.getCause();
        String at = path(e);
        if (cause instanceof ConfigException ce) {
            return at.isEmpty() ? ce.getMessage() : at + "." + ce.getMessage();
        }
        if (cause instanceof IllegalArgumentException iae && cause != e) {
            String msg = iae.getMessage();
            // Our constructors prefix the field they reject ("stable: ..."); Jackson's path names the record holding it.
            return at.isEmpty() ? msg : at + (msg.matches("^[A-Za-z\\[\\]0-9.]+: .*") ? "." : ": ") + msg;
        }
        String original = e.getOriginalMessage();
        int newline = original.indexOf('\n');
        return (at.isEmpty() ? "" : at + ": ") + (newline < 0 ? original : original.substring(0, newline));
    }

    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (sb.length() > 0) sb.append('.');
                sb.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }
}
