package io.graygate.routing;

/**
 * Finds a cookie in a Cookie header or a parameter in a query string without allocating: the answer is the value's
 * place in the text, {@code from << 32 | to}, or {@link #ABSENT}. Names and values are taken exactly as sent: no
 * decoding, case-sensitive, the first occurrence wins.
 */
final class RequestValues {

    static final long ABSENT = -1;

    private RequestValues() {
    }

    static int from(long place) {
        return (int) (place >>> 32);
    }

    static int to(long place) {
        return (int) place;
    }

    /**
     * The value of cookie {@code name} in a Cookie header ({@code a=1; b=2}), or ABSENT. Each pair is tested at its
     * start and skipped to the next ';' (an intrinsic search), not walked character by character. {@code name} is a
     * cookie name as the policy codec admits one: a token, so without '=', ';' or space; spaces between a name and
     * its '=' and around a value are not part of them.
     */
    static long cookie(String header, String name) {
        if (header == null) return ABSENT;
        int n = header.length();
        int first = name.isEmpty() ? -1 : name.charAt(0); // a pair of another name is most often turned away by it
        int i = 0;
        while (i < n) {
            char c = header.charAt(i);
            if (c == ' ' || c == '\t' || c == ';') {
                i++;
                continue;
            }
            if ((c == first || first < 0) && header.startsWith(name, i)) {
                int eq = i + name.length();
                while (eq < n && header.charAt(eq) == ' ') eq++;
                if (eq < n && header.charAt(eq) == '=') {
                    int valueStart = eq + 1;
                    while (valueStart < n && header.charAt(valueStart) == ' ') valueStart++;
                    int valueEnd = header.indexOf(';', valueStart);
                    if (valueEnd < 0) valueEnd = n;
                    while (valueEnd > valueStart && (header.charAt(valueEnd - 1) == ' ' || header.charAt(valueEnd - 1) == '\t')) valueEnd--;
                    return (long) valueStart << 32 | valueEnd;
                }
            }
            int semicolon = header.indexOf(';', i);
            if (semicolon < 0) return ABSENT;
            i = semicolon + 1;
        }
        return ABSENT;
    }

    /**
     * The value of parameter {@code name} in the query of a request target ({@code /p?a=1&b=&c}; {@code c} has the empty
     * value), or ABSENT.
     */
    static long query(String query, String name) {
        if (query == null) return ABSENT;
        int i = query.indexOf('?') + 1;
        if (i == 0) return ABSENT;
        int n = query.length();
        while (i <= n) {
            int end = query.indexOf('&', i);
            if (end < 0) end = n;
            int eq = i;
            while (eq < end && query.charAt(eq) != '=') eq++;
            if (eq - i == name.length() && query.regionMatches(i, name, 0, name.length())) {
                int valueStart = eq < end ? eq + 1 : end;
                return (long) valueStart << 32 | end;
            }
            i = end + 1;
        }
        return ABSENT;
    }
}
