package io.graygate.rollout;

/** A rollout call that cannot be made as asked: no rollout on the route, or one in a state that refuses it (the admin API answers 404 or 409). */
public final class RolloutException extends RuntimeException {

    public enum Kind {
        NOT_FOUND, CONFLICT
    }

    private final Kind kind;

    public RolloutException(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
