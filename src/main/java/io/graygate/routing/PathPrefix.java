package io.graygate.routing;

/**
 * A prefix put before the path sent upstream (a version's or an upstream group's {@code pathPrefix}): {@code /bee}
 * makes {@code /x} {@code /bee/x}, as {@code /bee/} does. Built once, when the configuration is compiled.
 */
public final class PathPrefix {

    public static final PathPrefix NONE = new PathPrefix(null);

    private final String text;
    private final boolean endsWithSlash;

    private PathPrefix(String text) {
        this.text = text;
        this.endsWithSlash = text != null && text.endsWith("/");
    }

    /** The prefix of a checked configuration value; {@link #NONE} for null, empty or "/". */
    public static PathPrefix of(String text) {
        return text == null || text.isEmpty() || text.equals("/") ? NONE : new PathPrefix(text);
    }

    /** The prefix, or null for {@link #NONE}. */
    public String text() {
        return text;
    }

    public boolean endsWithSlash() {
        return endsWithSlash;
    }

    public boolean isNone() {
        return text == null;
    }

    @Override
    public String toString() {
        return text == null ? "(none)" : text;
    }
}
