package io.graygate.policy;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.re2j.PatternSyntaxException;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The one JSON form of a policy, read from the admin API, the CLI's files, the YAML configuration and every store, and
 * written back the same way. Reading is strict: an unknown key, a wrong type or a bad value is refused with its path
 * ({@code rules[1].when.header.equals: expected a string, got 3}); {@link PolicyScope} then checks the names.
 */
public final class PolicyCodec {

    /** Refuses duplicate keys: {@code {"to": "a", "to": "b"}} is an error, not "b". */
    public static final ObjectMapper JSON = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    /** RFC 9110 token characters: what a header name, a cookie name and a method are made of. */
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final String TESTS = "equals, in, prefix, present, absent or matches";

    private PolicyCodec() {
    }

    // ---- reading ----

    public static Policy read(JsonNode node, String path) {
        ObjectNode o = object(node, path, "baseline", "override", "rules");
        String baseline = text(o.get("baseline"), join(path, "baseline"), true);
        String override = text(o.get("override"), join(path, "override"), false);
        List<PolicyRule> rules = o.hasNonNull("rules") ? readRules(o.get("rules"), join(path, "rules")) : List.of();
        return new Policy(baseline, override, rules);
    }

    public static List<PolicyRule> readRules(JsonNode node, String path) {
        if (!node.isArray()) throw new PolicyException(path, "expected a list of rules, got " + describe(node));
        List<PolicyRule> out = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) out.add(readRule(node.get(i), path + "[" + i + "]"));
        return out;
    }

    public static PolicyRule readRule(JsonNode node, String path) {
        ObjectNode o = object(node, path, "name", "when", "to", "split");
        String name = name(o.get("name"), join(path, "name"));
        Condition when = o.hasNonNull("when") ? readCondition(o.get("when"), join(path, "when")) : null;
        boolean hasTo = o.hasNonNull("to"), hasSplit = o.hasNonNull("split");
        if (hasTo == hasSplit) {
            throw new PolicyException(path, hasTo ? "has both \"to\" and \"split\"; a rule either matches (when + to) or splits"
                    : "needs \"to\" (with \"when\": a match rule) or \"split\" (a weighted split)");
        }
        if (hasTo) {
            if (when == null) throw new PolicyException(join(path, "when"), "is required with \"to\" (a split decides without one)");
            return new PolicyRule.Match(name, when, text(o.get("to"), join(path, "to"), true));
        }
        String at = join(path, "split");
        ObjectNode s = object(o.get("split"), at, "by", "weights", "cohort");
        SplitKey by = s.hasNonNull("by") ? readSplitKey(s.get("by"), join(at, "by")) : SplitKey.CLIENT_IP;
        if (!s.has("weights")) throw new PolicyException(join(at, "weights"), "is required, e.g. {gray: 10}");
        Weights weights = readWeights(s.get("weights"), join(at, "weights"));
        String cohort = s.hasNonNull("cohort") ? name(s.get("cohort"), join(at, "cohort")) : null;
        return new PolicyRule.Split(name, when, by, weights, cohort);
    }

    public static SplitKey readSplitKey(JsonNode node, String path) {
        if (node.isTextual() && node.textValue().equals("clientIp")) return SplitKey.CLIENT_IP;
        if (!node.isObject() || node.size() != 1) {
            throw new PolicyException(path, "expected {header: NAME}, {cookie: NAME}, {query: NAME} or clientIp, got " + describe(node));
        }
        String kind = node.fieldNames().next();
        String at = join(path, kind);
        return switch (kind) {
            case "header" -> new SplitKey.Header(token(node.get(kind), at));
            case "cookie" -> new SplitKey.Cookie(token(node.get(kind), at));
            case "query" -> new SplitKey.Query(nonEmpty(node.get(kind), at));
            case "clientIp" -> SplitKey.CLIENT_IP;
            default -> throw new PolicyException(at, "unknown split key; expected header, cookie, query or clientIp");
        };
    }

    public static Weights readWeights(JsonNode node, String path) {
        if (!node.isObject()) throw new PolicyException(path, "expected a map of version to percentage, e.g. {gray: 10}, got " + describe(node));
        Map<String, Integer> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String at = join(path, e.getKey());
            JsonNode v = e.getValue();
            try {
                if (v.isNumber()) {
                    BigDecimal d = v.isFloatingPointNumber() ? new BigDecimal(v.asText()) : v.decimalValue();
                    out.put(e.getKey(), Weights.percentToBasisPoints(d, v.asText()));
                } else if (v.isTextual()) {
                    out.put(e.getKey(), Weights.parsePercent(v.textValue()));
                } else {
                    throw new IllegalArgumentException("expected a percentage such as 10 or 2.5, got " + describe(v));
                }
            } catch (IllegalArgumentException ex) {
                throw new PolicyException(at, ex.getMessage());
            }
        }
        return new Weights(out);
    }

    public static Condition readCondition(JsonNode node, String path) {
        if (!node.isObject() || node.size() != 1) {
            throw new PolicyException(path, "expected one condition: clientIp, header, cookie, query, method, path, all, any or not; got "
                    + describe(node));
        }
        String kind = node.fieldNames().next();
        JsonNode body = node.get(kind);
        String at = join(path, kind);
        return switch (kind) {
            case "clientIp" -> new Condition.ClientIpInSet(name(object(body, at, "inSet").get("inSet"), join(at, "inSet")));
            case "header" -> {
                ObjectNode o = namedTest(body, at);
                yield new Condition.Header(token(o.get("name"), join(at, "name")), readTest(o, at, false));
            }
            case "cookie" -> {
                ObjectNode o = namedTest(body, at);
                yield new Condition.Cookie(token(o.get("name"), join(at, "name")), readTest(o, at, false));
            }
            case "query" -> {
                ObjectNode o = namedTest(body, at);
                yield new Condition.Query(nonEmpty(o.get("name"), join(at, "name")), readTest(o, at, false));
            }
            case "method" -> new Condition.Method(methods(body, at));
            case "path" -> new Condition.Path(readTest(object(body, at, "prefix", "equals", "matches"), at, true));
            case "all" -> new Condition.All(conditions(body, at));
            case "any" -> new Condition.Any(conditions(body, at));
            case "not" -> new Condition.Not(readCondition(body, at));
            default -> throw new PolicyException(at, "unknown condition; expected clientIp, header, cookie, query, method, path, all, any or not");
        };
    }

    private static ObjectNode namedTest(JsonNode body, String at) {
        ObjectNode o = object(body, at, "name", "equals", "in", "prefix", "present", "absent", "matches");
        if (!o.hasNonNull("name")) throw new PolicyException(join(at, "name"), "is required");
        return o;
    }

    /** The one test of a header, cookie, query or path condition: exactly one of its keys besides "name". */
    private static ValueTest readTest(ObjectNode o, String at, boolean path) {
        ValueTest found = null;
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (k.equals("name")) continue;
            if (found != null) throw new PolicyException(at, "give one test, not both \"" + found.kind() + "\" and \"" + k + "\"");
            JsonNode v = o.get(k);
            String vat = join(at, k);
            found = switch (k) {
                case "equals" -> new ValueTest.Equals(text(v, vat, true));
                case "prefix" -> new ValueTest.Prefix(nonEmpty(v, vat));
                case "in" -> new ValueTest.In(strings(v, vat));
                case "present" -> {
                    if (!v.isBoolean() || !v.booleanValue()) throw new PolicyException(vat, "write present: true (or absent: true)");
                    yield new ValueTest.Present();
                }
                case "absent" -> {
                    if (!v.isBoolean() || !v.booleanValue()) throw new PolicyException(vat, "write absent: true (or present: true)");
                    yield new ValueTest.Absent();
                }
                case "matches" -> new ValueTest.Matches(regex(v, vat));
                default -> throw new PolicyException(vat, "unknown test; expected " + TESTS);
            };
        }
        if (found == null) throw new PolicyException(at, "needs a test: " + (path ? "prefix, equals or matches" : TESTS));
        return found;
    }

    private static List<Condition> conditions(JsonNode node, String at) {
        if (!node.isArray() || node.isEmpty()) throw new PolicyException(at, "expected a non-empty list of conditions, got " + describe(node));
        List<Condition> out = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) out.add(readCondition(node.get(i), at + "[" + i + "]"));
        return out;
    }

    private static List<String> methods(JsonNode node, String at) {
        List<String> out = node.isTextual() ? List.of(node.textValue()) : strings(node, at);
        for (int i = 0; i < out.size(); i++) {
            if (!TOKEN.matcher(out.get(i)).matches()) throw new PolicyException(at + "[" + i + "]", "not a method: \"" + out.get(i) + "\"");
        }
        return out;
    }

    private static String regex(JsonNode node, String at) {
        String r = nonEmpty(node, at);
        try {
            com.google.re2j.Pattern.compile(r);
        } catch (PatternSyntaxException e) {
            throw new PolicyException(at, "not a valid regular expression (RE2 syntax): " + e.getMessage());
        }
        return r;
    }

    // ---- writing ----

    public static ObjectNode write(Policy p) {
        ObjectNode o = NODES.objectNode();
        o.put("baseline", p.baseline());
        o.put("override", p.override());
        ArrayNode rules = o.putArray("rules");
        for (PolicyRule r : p.rules()) rules.add(write(r));
        return o;
    }

    public static ObjectNode write(PolicyRule r) {
        ObjectNode o = NODES.objectNode();
        o.put("name", r.name());
        if (r instanceof PolicyRule.Match m) {
            o.set("when", write(m.when()));
            o.put("to", m.to());
        } else if (r instanceof PolicyRule.Split s) {
            if (s.when() != null) o.set("when", write(s.when()));
            ObjectNode split = o.putObject("split");
            split.set("by", write(s.by()));
            split.set("weights", write(s.weights()));
            if (s.cohort() != null) split.put("cohort", s.cohort());
        }
        return o;
    }

    public static JsonNode write(SplitKey k) {
        if (k instanceof SplitKey.Header h) return NODES.objectNode().put("header", h.name());
        if (k instanceof SplitKey.Cookie c) return NODES.objectNode().put("cookie", c.name());
        if (k instanceof SplitKey.Query q) return NODES.objectNode().put("query", q.name());
        return NODES.textNode("clientIp");
    }

    public static ObjectNode write(Weights w) {
        ObjectNode o = NODES.objectNode();
        w.basisPoints().forEach((v, bp) -> o.put(v, new BigDecimal(Weights.percent(bp))));
        return o;
    }

    public static ObjectNode write(Condition c) {
        ObjectNode o = NODES.objectNode();
        if (c instanceof Condition.ClientIpInSet in) {
            o.putObject("clientIp").put("inSet", in.set());
        } else if (c instanceof Condition.Header h) {
            write(o.putObject("header").put("name", h.name()), h.test());
        } else if (c instanceof Condition.Cookie k) {
            write(o.putObject("cookie").put("name", k.name()), k.test());
        } else if (c instanceof Condition.Query q) {
            write(o.putObject("query").put("name", q.name()), q.test());
        } else if (c instanceof Condition.Method m) {
            ArrayNode a = o.putArray("method");
            m.methods().forEach(a::add);
        } else if (c instanceof Condition.Path p) {
            write(o.putObject("path"), p.test());
        } else if (c instanceof Condition.All all) {
            ArrayNode a = o.putArray("all");
            all.of().forEach(x -> a.add(write(x)));
        } else if (c instanceof Condition.Any any) {
            ArrayNode a = o.putArray("any");
            any.of().forEach(x -> a.add(write(x)));
        } else if (c instanceof Condition.Not not) {
            o.set("not", write(not.of()));
        }
        return o;
    }

    private static void write(ObjectNode o, ValueTest t) {
        if (t instanceof ValueTest.Equals e) o.put("equals", e.value());
        else if (t instanceof ValueTest.Prefix p) o.put("prefix", p.prefix());
        else if (t instanceof ValueTest.In in) in.values().forEach(o.putArray("in")::add);
        else if (t instanceof ValueTest.Present) o.put("present", true);
        else if (t instanceof ValueTest.Absent) o.put("absent", true);
        else if (t instanceof ValueTest.Matches m) o.put("matches", m.regex());
    }

    // ---- small readers ----

    /** The node as an object holding only {@code allowed} keys. */
    static ObjectNode object(JsonNode node, String path, String... allowed) {
        if (node == null || !node.isObject()) throw new PolicyException(path, "expected an object, got " + describe(node));
        Set<String> keys = Set.of(allowed);
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!keys.contains(k)) throw new PolicyException(join(path, k), "unknown key; known keys here: " + List.of(allowed));
        }
        return (ObjectNode) node;
    }

    static String text(JsonNode node, String path, boolean required) {
        if (node == null || node.isNull()) {
            if (required) throw new PolicyException(path, "is required");
            return null;
        }
        if (!node.isTextual()) throw new PolicyException(path, "expected a string, got " + describe(node));
        return node.textValue();
    }

    private static String nonEmpty(JsonNode node, String path) {
        String s = text(node, path, true);
        if (s.isEmpty()) throw new PolicyException(path, "is empty");
        return s;
    }

    private static String name(JsonNode node, String path) {
        return name(text(node, path, true), path);
    }

    /**
     * A rule, version or IP set name: letters, digits, '.', '_' and '-', at most 64.
     *
     * @throws PolicyException naming {@code path} otherwise
     */
    public static String name(String s, String path) {
        if (!NAME.matcher(s).matches()) throw new PolicyException(path, quoted(s) + " may hold only letters, digits, '.', '_' and '-' (at most 64)");
        return s;
    }

    /** {@code s} in double quotes, its control characters escaped, for an error message. */
    private static String quoted(String s) {
        return NODES.textNode(s).toString();
    }

    private static String token(JsonNode node, String path) {
        String s = text(node, path, true);
        if (!TOKEN.matcher(s).matches()) throw new PolicyException(path, "not a valid name: \"" + s + "\"");
        return s;
    }

    private static List<String> strings(JsonNode node, String path) {
        if (node == null || !node.isArray() || node.isEmpty()) throw new PolicyException(path, "expected a non-empty list of strings, got " + describe(node));
        List<String> out = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) out.add(text(node.get(i), path + "[" + i + "]", true));
        return out;
    }

    static String join(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    static String describe(JsonNode node) {
        if (node == null || node.isMissingNode()) return "nothing";
        if (node.isObject()) return "an object";
        if (node.isArray()) return "a list";
        return node.toString();
    }
}
