package io.graygate.routing;

/** One entry of a route's ordered rule list: when the condition holds, the request goes to the target version. */
public record Rule(String name, Condition when, String version) {
}
