package io.graygate.routing;

import io.netty.util.AsciiString;

/**
 * Where one named value of a request is found: a header (the first of that name, any case), a cookie in the Cookie
 * header, or a query parameter in the target. Found in place, never cut out: {@link #text} is the string it lives in
 * and {@link #place} its range there ({@link RequestValues#ABSENT} when the request does not have it).
 */
abstract class RequestValue {

    /** The Cookie header's name with its hash computed once: looked up per request. */
    static final AsciiString COOKIE = AsciiString.cached("cookie");

    final String name;

    private RequestValue(String name) {
        this.name = name;
    }

    /** The string the value is looked for in, or null. */
    abstract String text(RequestView r);

    /** The value's place in {@code text} ({@code from << 32 | to}), or ABSENT. */
    abstract long place(String text);

    /** "header X-Beta", "cookie uid", "query parameter flag". */
    abstract String describe();

    /** The value as found, for explanations (allocates), or null. */
    final String shown(RequestView r) {
        String t = text(r);
        long at = place(t);
        return at == RequestValues.ABSENT ? null : t.substring(RequestValues.from(at), RequestValues.to(at));
    }

    static RequestValue header(String name) {
        return new Header(name);
    }

    static RequestValue cookie(String name) {
        return new Cookie(name);
    }

    static RequestValue query(String name) {
        return new Query(name);
    }

    private static final class Header extends RequestValue {
        private final AsciiString key; // its hash is computed once, not per lookup

        Header(String name) {
            super(name);
            this.key = new AsciiString(name);
        }

        @Override
        String text(RequestView r) {
            return r.header(key);
        }

        @Override
        long place(String text) {
            return text == null ? RequestValues.ABSENT : text.length();
        }

        @Override
        String describe() {
            return "header " + name;
        }
    }

    private static final class Cookie extends RequestValue {
        Cookie(String name) {
            super(name);
        }

        @Override
        String text(RequestView r) {
            return r.header(COOKIE);
        }

        @Override
        long place(String text) {
            return RequestValues.cookie(text, name);
        }

        @Override
        String describe() {
            return "cookie " + name;
        }
    }

    private static final class Query extends RequestValue {
        Query(String name) {
            super(name);
        }

        @Override
        String text(RequestView r) {
            return r.target();
        }

        @Override
        long place(String text) {
            return RequestValues.query(text, name);
        }

        @Override
        String describe() {
            return "query parameter " + name;
        }
    }
}
