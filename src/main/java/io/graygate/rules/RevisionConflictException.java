package io.graygate.rules;

/** A change made against a revision that is no longer the route's ({@code If-Match}); nothing changed. The admin API answers 412. */
public final class RevisionConflictException extends RuntimeException {

    public RevisionConflictException(String route, long expected, long actual) {
        super("route " + route + " is at revision " + actual + ", not " + expected + " (changed meanwhile); read it again and retry");
    }
}
