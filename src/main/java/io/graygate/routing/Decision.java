package io.graygate.routing;

/**
 * Where one request goes: the version chosen, the upstream group that serves it, and the rule that decided.
 * Routes build their decisions once, at compile time, so deciding allocates nothing.
 */
public record Decision(String version, String upstream, String reason) {

    public static Decision forward(String version, String upstream, String reason) {
        return new Decision(version, upstream, reason);
    }
}
