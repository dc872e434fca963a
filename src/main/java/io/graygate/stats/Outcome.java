package io.graygate.stats;

/**
 * How an exchange ended, as the {@code code} label counts it: the status class the client got, or
 * {@code upstream_error} when the gateway answered for an upstream it could not reach or that failed (connect
 * failure, timeout, a response broken off).
 */
public final class Outcome {

    public static final int UPSTREAM_ERROR = 5;
    static final int COUNT = 6;
    private static final String[] LABELS = {"1xx", "2xx", "3xx", "4xx", "5xx", "upstream_error"};

    private Outcome() {
    }

    /** The outcome of a response with {@code status} (100..599; 499 for a client that went away is a 4xx). */
    public static int of(int status) {
        int c = status / 100 - 1;
        return c < 0 || c > 4 ? 4 : c;
    }

    static String label(int outcome) {
        return LABELS[outcome];
    }

    /** Whether the outcome counts as an error in the error ratio: a 5xx or an upstream error. */
    static boolean isError(int outcome) {
        return outcome >= 4;
    }
}
