package io.graygate.admin;

/** A configuration with a three-version route "shop" (IP set, header, cookie and split rules) and a shorthand route "demo". */
public final class PolicyApiTestConfig {

    private PolicyApiTestConfig() {
    }

    public static final String CONFIG = """
            listen: 127.0.0.1:0
            admin: {listen: 127.0.0.1:0}
            upstreams:
              v1: {servers: ["127.0.0.1:18001"]}
              v2: {servers: ["127.0.0.1:18002"]}
              v3: {servers: ["127.0.0.1:18003"]}
            routes:
              - name: shop
                pathPrefix: /shop
                versions: {production: v1, gray: v2, canary: v3}
                baseline: production
                ipSets: {testers: ["192.168.2.165", "10.1.0.0/16"]}
                rules:
                  - {name: testers, when: {clientIp: {inSet: testers}}, to: gray}
                  - {name: beta, when: {header: {name: X-Beta, equals: "on"}}, to: gray}
                  - {name: ab, when: {all: [{cookie: {name: ab, equals: b}}, {method: [GET, HEAD]}]}, to: canary}
                  - {name: ramp, split: {by: {cookie: uid}, weights: {gray: 10, canary: 2.5}}}
              - {name: demo, pathPrefix: /, stable: v1, gray: v2}
            """;
}
