package io.graygate.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.lang.reflect.Executable;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the YAML configuration: substitutes ${VAR} and ${VAR:-default} into the parsed scalar values (never the raw
 * text, so a value holding '#', '*', '&amp;', ':' or a newline stays that value, and a comment is never read), refuses
 * unknown keys, names the path of any error.
 */
public final class ConfigLoader {

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?}");
    private static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build())
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
        JsonNode tree;
        try {
            tree = YAML.readTree(parser(yaml, env));
        } catch (JsonProcessingException e) {
            String original = e.getOriginalMessage();
            if (original != null && original.startsWith("Duplicate field '")) {
                // A second "routes:" would silently replace the first: refused, naming the key and where.
                String key = original.substring("Duplicate field '".length(), original.lastIndexOf('\''));
                String where = e instanceof JsonParseException pe && pe.getProcessor() != null
                        ? pathOf(pe.getProcessor().getParsingContext().getParent()) : "";
                throw new ConfigException(where + key + ": duplicate key"
                        + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"));
            }
            throw new ConfigException("not valid YAML: " + syntaxProblem(e));
        } catch (IOException e) {
            throw new ConfigException("not valid YAML: " + e.getMessage());
        }
        if (tree == null || tree.isMissingNode() || tree.isNull()) throw new ConfigException("the configuration is empty");
        // Unknown keys are refused before binding: a record's constructor runs before Jackson reports a key it did not
        // know, so a misspelt key ("hosts:") would otherwise surface as the missing value it left ("servers: ... required").
        refuseUnknownKeys(tree, GatewayConfig.class, "");
        try {
            // Bound from the parser, not the tree: the parser keeps YAML's reading of each scalar ("off", "0123").
            return YAML.readValue(parser(yaml, env), GatewayConfig.class);
        } catch (UnrecognizedPropertyException e) {
            throw new ConfigException(path(e) + ": unknown key; known keys here: " + e.getKnownPropertyIds());
        } catch (JsonMappingException e) {
            throw new ConfigException(describe(e));
        } catch (JsonProcessingException e) {
            throw new ConfigException("not valid YAML: " + syntaxProblem(e));
        } catch (IOException e) {
            throw new ConfigException("not valid YAML: " + e.getMessage());
        }
    }

    /** The YAML parser over {@code yaml}, the environment substituted into string scalars as they are read. */
    private static JsonParser parser(String yaml, Map<String, String> env) throws IOException {
        return new SubstitutingParser(YAML.getFactory().createParser(yaml), env);
    }

    /** True when {@code text} is one ${VAR} or ${VAR:-default} and nothing else. */
    static boolean isOneVariable(String text) {
        return VARIABLE.matcher(text).matches();
    }

    /** The parser's complaint on one line, without its source excerpt: "while parsing ...; expected ..., but found ... (line 3)". */
    private static String syntaxProblem(JsonProcessingException e) {
        StringBuilder out = new StringBuilder();
        String[] lines = e.getOriginalMessage().split("\n");
        for (int i = 0; i < lines.length; i++) {
            String s = lines[i].strip();
            if (s.startsWith("in 'reader'")) {
                i += 2; // the location is followed by the source line and a caret under the column
                continue;
            }
            if (s.isEmpty() || s.startsWith("at [")) continue;
            if (out.length() > 0) out.append("; ");
            out.append(s);
        }
        if (e.getLocation() != null && e.getLocation().getLineNr() > 0) out.append(" (line ").append(e.getLocation().getLineNr()).append(')');
        return out.toString();
    }

    /** Walks the tree along the @JsonCreator parameters of the config records and refuses the first key none of them names. */
    private static void refuseUnknownKeys(JsonNode node, Type type, String path) {
        Class<?> raw = type instanceof ParameterizedType p ? (Class<?>) p.getRawType() : type instanceof Class<?> c ? c : Object.class;
        if (Map.class.isAssignableFrom(raw) && node.isObject() && type instanceof ParameterizedType p) {
            Type valueType = p.getActualTypeArguments()[1];
            node.fields().forEachRemaining(e -> refuseUnknownKeys(e.getValue(), valueType, join(path, e.getKey())));
        } else if (List.class.isAssignableFrom(raw) && node.isArray() && type instanceof ParameterizedType p) {
            Type elementType = p.getActualTypeArguments()[0];
            for (int i = 0; i < node.size(); i++) refuseUnknownKeys(node.get(i), elementType, path + "[" + i + "]");
        } else if (node.isObject()) {
            Map<String, Type> keys = creatorKeys(raw);
            if (keys.isEmpty()) return; // not one of our records: binding will say what is wrong
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                Type fieldType = keys.get(field.getKey());
                if (fieldType == null) throw ConfigException.at(join(path, field.getKey()), "unknown key; known keys here: " + keys.keySet());
                refuseUnknownKeys(field.getValue(), fieldType, join(path, field.getKey()));
            }
        }
    }

    /** The keys of a config record: the @JsonProperty parameters of its @JsonCreator constructor or static factory. */
    private static Map<String, Type> creatorKeys(Class<?> type) {
        List<Executable> creators = new ArrayList<>(List.of(type.getDeclaredConstructors()));
        for (Method m : type.getDeclaredMethods()) if (Modifier.isStatic(m.getModifiers())) creators.add(m);
        for (Executable c : creators) {
            if (!c.isAnnotationPresent(JsonCreator.class)) continue;
            Map<String, Type> keys = new LinkedHashMap<>();
            Parameter[] parameters = c.getParameters();
            Type[] types = c.getGenericParameterTypes();
            for (int i = 0; i < parameters.length; i++) {
                JsonProperty name = parameters[i].getAnnotation(JsonProperty.class);
                if (name != null) keys.put(name.value(), types[i]);
            }
            if (!keys.isEmpty()) return keys; // a one-value creator such as HostPort.parse names no keys
        }
        return Map.of();
    }

    private static String join(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
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

    /** "upstreams.gray." or "routes[0]." for the context holding a key; "" at the top level. */
    private static String pathOf(JsonStreamContext context) {
        StringBuilder sb = new StringBuilder();
        for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
            sb.insert(0, c.inArray() ? "[" + c.getCurrentIndex() + "]" : "." + c.getCurrentName());
        }
        return sb.length() == 0 ? "" : sb.substring(sb.charAt(0) == '.' ? 1 : 0) + ".";
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
            return at.isEmpty() ? msg : at + (msg.matches("^[A-Za-z0-9._\\[\\]-]+: .*") ? "." : ": ") + msg;
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
