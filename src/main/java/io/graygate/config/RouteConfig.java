package io.graygate.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import io.graygate.policy.Condition;
import io.graygate.policy.Mode;
import io.graygate.policy.Policy;
import io.graygate.policy.PolicyCodec;
import io.graygate.policy.PolicyRule;
import io.graygate.policy.PolicyScope;
import io.graygate.routing.ip.IpEntry;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A route as configured: how requests are matched (path prefix, optional Host), its versions (name to upstream group,
 * in order: the order of the split slots), and the initial policy and IP sets that seed the rule store on its first
 * start. The shorthand of graygate's first release ({@code stable}, {@code gray}, {@code whitelist}, {@code mode},
 * {@code whitelistKey}) is read here into the same model.
 *
 * @param ipSets    the IP sets the route starts with, entries as written
 * @param keyedSets IP sets read from a Redis key graygate does not own (set name to key), such as the seed's {@code gray}
 */
public record RouteConfig(String name, String pathPrefix, String host, String upstreamHost,
                          Map<String, VersionConfig> versions, Map<String, List<String>> ipSets,
                          Map<String, String> keyedSets, Policy policy, boolean stripPrefix) {

    /** The version the shorthand {@code gray:}/{@code whitelist:} sends clients to. */
    public static final String GRAY = "gray";
    /** The baseline of the shorthand {@code stable:}. */
    public static final String PRODUCTION = "production";
    /** The IP set of the shorthand {@code whitelist:}, and of today's whitelist API calls. */
    public static final String WHITELIST = "whitelist";
    /** The IP set and rule the shorthand {@code whitelistKey:} makes. */
    public static final String WHITELIST_KEY = "whitelistKey";

    /** A route that passes its path through as it came. */
    public RouteConfig(String name, String pathPrefix, String host, String upstreamHost, Map<String, VersionConfig> versions,
                       Map<String, List<String>> ipSets, Map<String, String> keyedSets, Policy policy) {
        this(name, pathPrefix, host, upstreamHost, versions, ipSets, keyedSets, policy, false);
    }

    public RouteConfig {
        versions = Collections.unmodifiableMap(new LinkedHashMap<>(versions));
        ipSets = Collections.unmodifiableMap(new LinkedHashMap<>(ipSets));
        keyedSets = Collections.unmodifiableMap(new LinkedHashMap<>(keyedSets));
    }

    @JsonCreator
    public static RouteConfig of(@JsonProperty("name") String name,
                                 @JsonProperty("pathPrefix") String pathPrefix,
                                 @JsonProperty("host") String host,
                                 @JsonProperty("upstreamHost") String upstreamHost,
                                 @JsonProperty("versions") Map<String, JsonNode> versions,
                                 @JsonProperty("baseline") String baseline,
                                 @JsonProperty("ipSets") Map<String, JsonNode> ipSets,
                                 @JsonProperty("rules") JsonNode rules,
                                 @JsonProperty("stable") String stable,
                                 @JsonProperty("gray") String gray,
                                 @JsonProperty("mode") Mode mode,
                                 @JsonProperty("whitelist") List<String> whitelist,
                                 @JsonProperty("whitelistKey") String whitelistKey,
                                 @JsonProperty("stripPrefix") Boolean stripPrefix) {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("name: is required");
        if (!name.matches("[A-Za-z0-9._-]+")) {
            throw new IllegalArgumentException("name: \"" + name + "\" may hold only letters, digits, '.', '_' and '-'");
        }
        if (pathPrefix == null) pathPrefix = "/";
        if (!pathPrefix.startsWith("/")) throw new IllegalArgumentException("pathPrefix: must start with '/', got \"" + pathPrefix + "\"");

        Map<String, VersionConfig> vs = readVersions(versions, stable, gray);
        if (baseline == null) baseline = versions != null ? vs.keySet().iterator().next() : PRODUCTION;
        else if (versions == null) throw new IllegalArgumentException("baseline: goes with versions; the shorthand's baseline is always production");
        if (!vs.containsKey(baseline)) throw new IllegalArgumentException("baseline: no version named \"" + baseline + "\"; the route's versions: " + vs.keySet());

        Map<String, List<String>> sets = new LinkedHashMap<>();
        Map<String, String> keyed = new LinkedHashMap<>();
        if (ipSets != null) readIpSets(ipSets, sets, keyed);
        List<PolicyRule> ruleList = new ArrayList<>();
        if (whitelist != null) {
            requireGray(vs, "whitelist");
            if (sets.containsKey(WHITELIST) || keyed.containsKey(WHITELIST)) {
                throw new IllegalArgumentException("whitelist: is shorthand for the IP set \"whitelist\", which ipSets also defines; keep one");
            }
            sets.put(WHITELIST, entries(whitelist, "whitelist"));
        }
        if (whitelist != null || (versions == null && !sets.containsKey(WHITELIST))) {
            // The shorthand always has its whitelist, empty or not: today's whitelist calls add to it.
            sets.putIfAbsent(WHITELIST, List.of());
            ruleList.add(new PolicyRule.Match(WHITELIST, new Condition.ClientIpInSet(WHITELIST), GRAY));
        }
        if (whitelistKey != null && !whitelistKey.isBlank()) {
            requireGray(vs, "whitelistKey");
            if (sets.containsKey(WHITELIST_KEY) || keyed.containsKey(WHITELIST_KEY)) {
                throw new IllegalArgumentException("whitelistKey: is shorthand for the IP set \"whitelistKey\", which ipSets also defines; keep one");
            }
            keyed.put(WHITELIST_KEY, whitelistKey);
            ruleList.add(new PolicyRule.Match(WHITELIST_KEY, new Condition.ClientIpInSet(WHITELIST_KEY), GRAY));
        }
        if (rules != null && !rules.isNull()) ruleList.addAll(PolicyCodec.readRules(rules, "rules"));

        String override = null;
        if (mode == Mode.ALL_GRAY) {
            requireGray(vs, "mode");
            override = GRAY;
        } else if (mode == Mode.ALL_PRODUCTION) {
            override = baseline;
        }
        Policy policy = new Policy(baseline, override, ruleList);
        Set<String> setNames = new LinkedHashSet<>(sets.keySet());
        setNames.addAll(keyed.keySet());
        new PolicyScope(List.copyOf(vs.keySet()), baseline, setNames).check(policy);

        String h = host == null || host.isBlank() ? null : host.strip().toLowerCase(Locale.ROOT);
        String uh = upstreamHost == null || upstreamHost.isBlank() ? null : upstreamHost.strip();
        return new RouteConfig(name, pathPrefix, h, uh, vs, sets, keyed, policy, stripPrefix != null && stripPrefix);
    }

    /** A route written in the first release's shorthand, for code that builds configurations (the demo, tests). */
    public static RouteConfig shorthand(String name, String pathPrefix, String host, String upstreamHost, String stable, String gray,
                                        Mode mode, List<String> whitelist, String whitelistKey) {
        return of(name, pathPrefix, host, upstreamHost, null, null, null, null, stable, gray, mode, whitelist, whitelistKey, null);
    }

    private static Map<String, VersionConfig> readVersions(Map<String, JsonNode> versions, String stable, String gray) {
        Map<String, VersionConfig> out = new LinkedHashMap<>();
        if (versions != null) {
            if (stable != null || gray != null) {
                throw new IllegalArgumentException((stable != null ? "stable" : "gray") + ": is shorthand for versions; give versions, or stable and gray, not both");
            }
            if (versions.isEmpty()) throw new IllegalArgumentException("versions: is empty; name at least one version and its upstream group");
            for (Map.Entry<String, JsonNode> e : versions.entrySet()) {
                String at = "versions." + e.getKey();
                if (!e.getKey().matches("[A-Za-z0-9._-]{1,64}")) {
                    throw new IllegalArgumentException(at + ": a version name may hold only letters, digits, '.', '_' and '-'");
                }
                out.put(e.getKey(), readVersion(at, e.getValue()));
            }
            return out;
        }
        if ((stable == null || stable.isBlank()) && gray != null) {
            throw new IllegalArgumentException("stable: is required (the production upstream group)");
        }
        if (stable == null || stable.isBlank()) {
            throw new IllegalArgumentException("versions: is required (e.g. {production: v1, gray: v2}), or the shorthand stable and gray");
        }
        if (gray == null || gray.isBlank()) throw new IllegalArgumentException("gray: is required (the gray upstream group)");
        out.put(PRODUCTION, new VersionConfig(stable.strip(), "stable"));
        out.put(GRAY, new VersionConfig(gray.strip(), "gray"));
        return out;
    }

    /** {@code v2}, or {@code {upstream: v2, pathPrefix: /bee}}. */
    private static VersionConfig readVersion(String at, JsonNode v) {
        if (v != null && v.isObject()) {
            for (var it = v.fieldNames(); it.hasNext(); ) {
                String key = it.next();
                if (!key.equals("upstream") && !key.equals("pathPrefix")) {
                    throw new IllegalArgumentException(at + "." + key + ": unknown key; known keys here: [upstream, pathPrefix]");
                }
            }
            JsonNode upstream = v.get("upstream");
            if (upstream == null || !upstream.isTextual() || upstream.textValue().isBlank()) {
                throw new IllegalArgumentException(at + ".upstream: expected the name of an upstream group, got " + (upstream == null ? "nothing" : upstream));
            }
            JsonNode prefix = v.get("pathPrefix");
            if (prefix != null && !prefix.isTextual()) throw new IllegalArgumentException(at + ".pathPrefix: expected a path such as /bee, got " + prefix);
            String checked;
            try {
                checked = prefix == null ? null : UpstreamConfig.checkedPrefix(prefix.textValue());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(at + "." + e.getMessage());
            }
            return new VersionConfig(upstream.textValue().strip(), checked, at);
        }
        if (v == null || !v.isTextual() || v.textValue().isBlank()) {
            throw new IllegalArgumentException(at + ": expected the name of an upstream group or {upstream, pathPrefix}, got " + (v == null ? "nothing" : v));
        }
        return new VersionConfig(v.textValue().strip(), at);
    }

    private static void readIpSets(Map<String, JsonNode> ipSets, Map<String, List<String>> sets, Map<String, String> keyed) {
        for (Map.Entry<String, JsonNode> e : ipSets.entrySet()) {
            String at = "ipSets." + e.getKey();
            if (!e.getKey().matches("[A-Za-z0-9._-]{1,64}")) {
                throw new IllegalArgumentException(at + ": a set name may hold only letters, digits, '.', '_' and '-'");
            }
            JsonNode v = e.getValue();
            if (v != null && v.isArray()) {
                List<String> list = new ArrayList<>(v.size());
                for (int i = 0; i < v.size(); i++) {
                    if (!v.get(i).isTextual()) throw new IllegalArgumentException(at + "[" + i + "]: expected an address or CIDR, got " + v.get(i));
                    list.add(v.get(i).textValue());
                }
                sets.put(e.getKey(), entries(list, at));
            } else if (v != null && v.isObject() && v.size() == 1 && v.has("redisKey") && v.get("redisKey").isTextual()) {
                keyed.put(e.getKey(), v.get("redisKey").textValue());
            } else {
                throw new IllegalArgumentException(at + ": expected a list of addresses and CIDRs, or {redisKey: KEY}");
            }
        }
    }

    private static List<String> entries(List<String> list, String at) {
        for (int i = 0; i < list.size(); i++) {
            try {
                IpEntry.parse(list.get(i));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(at + "[" + i + "]: " + e.getMessage());
            }
        }
        return List.copyOf(list);
    }

    private static void requireGray(Map<String, VersionConfig> vs, String key) {
        if (!vs.containsKey(GRAY)) {
            throw new IllegalArgumentException(key + ": sends clients to the version \"gray\", which this route does not have; versions: " + vs.keySet());
        }
    }

    /** The version names in order (the order of the split slots). */
    public List<String> versionNames() {
        return List.copyOf(versions.keySet());
    }

    /** The upstream group of a version, or null. */
    public String upstreamOf(String version) {
        VersionConfig v = versions.get(version);
        return v == null ? null : v.upstream();
    }

    /** What this route's policies may name: its versions and every IP set it has now ({@code sets}). */
    public PolicyScope scope(Set<String> sets) {
        return new PolicyScope(versionNames(), policy.baseline(), sets);
    }

    /** True when this route reads a set from a Redis key. */
    public boolean readsKeys() {
        return !keyedSets.isEmpty();
    }
}
