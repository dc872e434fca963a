package io.graygate.policy;

import java.util.List;

/**
 * A test on a request, as written in a policy: the left half of a match rule. Data only, compared by value (a policy's
 * history says whether two policies differ); {@code routing.RouteCompiler} turns it into something that decides.
 */
public sealed interface Condition {

    /** The client address is in one of the route's IP sets (exact addresses and CIDRs, IPv4 and IPv6). */
    record ClientIpInSet(String set) implements Condition {
    }

    /** The first request header of that name (any case) passes the test; absent when there is none. */
    record Header(String name, ValueTest test) implements Condition {
    }

    /** The first cookie of that name in the Cookie header passes the test; the name and value as sent. */
    record Cookie(String name, ValueTest test) implements Condition {
    }

    /** The first query parameter of that name passes the test; the name and value as sent (no percent-decoding). */
    record Query(String name, ValueTest test) implements Condition {
    }

    /** The request method is one of these (methods are case-sensitive: {@code GET}, not {@code get}). */
    record Method(List<String> methods) implements Condition {
        public Method {
            methods = List.copyOf(methods);
        }
    }

    /** The normalized request path (the one routes match) passes the test: {@code prefix}, {@code equals} or {@code matches}. */
    record Path(ValueTest test) implements Condition {
    }

    record All(List<Condition> of) implements Condition {
        public All {
            of = List.copyOf(of);
        }
    }

    record Any(List<Condition> of) implements Condition {
        public Any {
            of = List.copyOf(of);
        }
    }

    record Not(Condition of) implements Condition {
    }
}
