package io.graygate.cli;

/** A command failed in a way the user can act on: one line for stderr, and the exit code to end with. */
final class CliException extends RuntimeException {

    /** The admin API refused the request or could not be reached. */
    static final int REFUSED = 1;
    /** The command line or the configuration is wrong. */
    static final int USAGE = 2;

    private final int exitCode;

    CliException(int exitCode, String message) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
