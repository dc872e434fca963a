package io.graygate.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.graygate.routing.IpEntry;
import io.graygate.routing.Mode;

import java.util.List;

/**
 * A route as configured: how requests are matched (path prefix, optional Host), the stable (production) and gray
 * upstream groups, and the initial runtime rules (mode, whitelist) that seed the rule store on its first start.
 * With {@code stripPrefix} the upstream gets the path without the route's prefix.
 */
public record RouteConfig(String name, String pathPrefix, String host, String upstreamHost, String stable, String gray,
                          Mode mode, List<String> whitelist, String whitelistKey, Boolean stripPrefix) {

    @JsonCreator
    public RouteConfig(@JsonProperty("name") String name,
                       @JsonProperty("pathPrefix") String pathPrefix,
                       @JsonProperty("host") String host,
                       @JsonProperty("upstreamHost") String upstreamHost,
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
        if (stable == null || stable.isBlank()) throw new IllegalArgumentException("stable: is required (the production upstream group)");
        if (gray == null || gray.isBlank()) throw new IllegalArgumentException("gray: is required (the gray upstream group)");
        whitelist = whitelist == null ? List.of() : List.copyOf(whitelist);
        for (int i = 0; i < whitelist.size(); i++) {
            try {
                IpEntry.parse(whitelist.get(i));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("whitelist[" + i + "]: " + e.getMessage());
            }
        }
        this.name = name;
        this.pathPrefix = pathPrefix;
        this.host = host == null || host.isBlank() ? null : host.strip().toLowerCase(java.util.Locale.ROOT);
        this.upstreamHost = upstreamHost == null || upstreamHost.isBlank() ? null : upstreamHost.strip();
        this.stable = stable;
        this.gray = gray;
        this.mode = mode == null ? Mode.GRAY : mode;
        this.whitelist = whitelist;
        this.whitelistKey = whitelistKey == null || whitelistKey.isBlank() ? null : whitelistKey;
        this.stripPrefix = stripPrefix != null && stripPrefix; // never null once built
    }

    /** A route as the tests and the demo build it: no path rewriting. */
    public RouteConfig(String name, String pathPrefix, String host, String upstreamHost, String stable, String gray,
                       Mode mode, List<String> whitelist, String whitelistKey) {
        this(name, pathPrefix, host, upstreamHost, stable, gray, mode, whitelist, whitelistKey, null);
    }
}
