package io.graygate.routing;

import com.google.re2j.Pattern;
import io.graygate.policy.ValueTest;

import java.util.List;

/**
 * A compiled {@link ValueTest}: tests a value in place, as a range of the text it was found in, so that a cookie or a
 * query parameter is never cut out of its header. Only {@code matches} allocates (RE2/J's matcher; linear time).
 */
abstract class ValueCheck {

    /** The value was found: {@code text} from {@code from} to {@code to}. */
    abstract boolean test(String text, int from, int to);

    /** There is no such value. */
    boolean testAbsent() {
        return false;
    }

    abstract String describe();

    static ValueCheck of(ValueTest t) {
        if (t instanceof ValueTest.Equals e) return new EqualsCheck(e.value());
        if (t instanceof ValueTest.In in) return new InCheck(in.values());
        if (t instanceof ValueTest.Prefix p) return new PrefixCheck(p.prefix());
        if (t instanceof ValueTest.Present) return new PresenceCheck(true);
        if (t instanceof ValueTest.Absent) return new PresenceCheck(false);
        if (t instanceof ValueTest.Matches m) return new MatchesCheck(m.regex());
        throw new IllegalArgumentException("unknown test " + t);
    }

    static String quote(String s) {
        return "\"" + s + "\"";
    }

    private static boolean same(String text, int from, int to, String value) {
        return to - from == value.length() && text.regionMatches(from, value, 0, value.length());
    }

    private static final class EqualsCheck extends ValueCheck {
        private final String value;

        EqualsCheck(String value) {
            this.value = value;
        }

        @Override
        boolean test(String text, int from, int to) {
            return same(text, from, to, value);
        }

        @Override
        String describe() {
            return "equals " + quote(value);
        }
    }

    private static final class InCheck extends ValueCheck {
        private final String[] values;

        InCheck(List<String> values) {
            this.values = values.toArray(new String[0]);
        }

        @Override
        boolean test(String text, int from, int to) {
            for (String v : values) if (same(text, from, to, v)) return true;
            return false;
        }

        @Override
        String describe() {
            StringBuilder sb = new StringBuilder("in [");
            for (int i = 0; i < values.length; i++) sb.append(i == 0 ? "" : ", ").append(quote(values[i]));
            return sb.append(']').toString();
        }
    }

    private static final class PrefixCheck extends ValueCheck {
        private final String prefix;

        PrefixCheck(String prefix) {
            this.prefix = prefix;
        }

        @Override
        boolean test(String text, int from, int to) {
            return to - from >= prefix.length() && text.regionMatches(from, prefix, 0, prefix.length());
        }

        @Override
        String describe() {
            return "starts with " + quote(prefix);
        }
    }

    private static final class PresenceCheck extends ValueCheck {
        private final boolean present;

        PresenceCheck(boolean present) {
            this.present = present;
        }

        @Override
        boolean test(String text, int from, int to) {
            return present;
        }

        @Override
        boolean testAbsent() {
            return !present;
        }

        @Override
        String describe() {
            return present ? "is present" : "is absent";
        }
    }

    private static final class MatchesCheck extends ValueCheck {
        private final Pattern pattern;

        MatchesCheck(String regex) {
            this.pattern = Pattern.compile(regex);
        }

        @Override
        boolean test(String text, int from, int to) {
            return pattern.matcher(from == 0 && to == text.length() ? text : text.subSequence(from, to)).matches();
        }

        @Override
        String describe() {
            return "matches /" + pattern.pattern() + "/";
        }
    }
}
