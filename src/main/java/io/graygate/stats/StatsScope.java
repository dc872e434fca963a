package io.graygate.stats;

/** Whose requests a statistics query counts: this node's, or every live node's on the shared store. */
public enum StatsScope {
    NODE,
    CLUSTER
}
