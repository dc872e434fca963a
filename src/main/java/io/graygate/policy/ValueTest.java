package io.graygate.policy;

import java.util.List;

/**
 * How a condition tests one value of a request (a header, a cookie, a query parameter or the path), as written in a
 * policy: {@code equals}, {@code in}, {@code prefix}, {@code present}, {@code absent} or {@code matches}. Data only;
 * {@code routing} compiles it. Values are compared exactly as the client sent them: no decoding, case-sensitive.
 */
public sealed interface ValueTest {

    /** The JSON key this test is written with. */
    String kind();

    record Equals(String value) implements ValueTest {
        @Override
        public String kind() {
            return "equals";
        }
    }

    record In(List<String> values) implements ValueTest {
        public In {
            values = List.copyOf(values);
        }

        @Override
        public String kind() {
            return "in";
        }
    }

    record Prefix(String prefix) implements ValueTest {
        @Override
        public String kind() {
            return "prefix";
        }
    }

    record Present() implements ValueTest {
        @Override
        public String kind() {
            return "present";
        }
    }

    record Absent() implements ValueTest {
        @Override
        public String kind() {
            return "absent";
        }
    }

    /** The whole value matches the regular expression (RE2 syntax, linear time: never backtracking on client input). */
    record Matches(String regex) implements ValueTest {
        @Override
        public String kind() {
            return "matches";
        }
    }
}
