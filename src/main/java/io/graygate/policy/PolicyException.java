package io.graygate.policy;

/**
 * A policy that cannot be put in force, with the path of the bad value in its message
 * ({@code rules[2].split.weights.canary: 60 exceeds the slot of 50}). Nothing of such a policy is applied.
 */
public final class PolicyException extends IllegalArgumentException {

    public PolicyException(String path, String problem) {
        super(path.isEmpty() ? problem : path + ": " + problem);
    }
}
