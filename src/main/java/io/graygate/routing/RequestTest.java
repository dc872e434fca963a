package io.graygate.routing;
import io.graygate.routing.ip.IpEntry;
import io.graygate.routing.ip.IpSet;
import io.graygate.routing.ip.ClientAddress;

import io.graygate.policy.Condition;

import java.util.List;
import java.util.Map;

/**
 * A compiled {@link Condition}: decides on a {@link RequestView} in place, allocating nothing (but for RE2/J's
 * {@code matches}). {@link #explain} says, in words, what it saw; it runs only for the admin API's explain.
 */
abstract class RequestTest {

    abstract boolean test(RequestView r);

    abstract String describe();

    /** What the request held for this test, e.g. {@code header X-Beta is "off"}; may allocate. */
    abstract String observed(RequestView r);

    /**
     * Compiles a condition against the route's IP sets as they are now.
     *
     * @throws IllegalArgumentException for a set the map lacks (the policy was checked against the route first)
     */
    static RequestTest of(Condition c, Map<String, IpSet> sets) {
        if (c instanceof Condition.ClientIpInSet in) {
            IpSet set = sets.get(in.set());
            if (set == null) throw new IllegalArgumentException("no IP set named \"" + in.set() + "\"");
            return new ClientIpIn(in.set(), set);
        }
        if (c instanceof Condition.Header h) return new ValueTestOn(RequestValue.header(h.name()), ValueCheck.of(h.test()));
        if (c instanceof Condition.Cookie k) return new ValueTestOn(RequestValue.cookie(k.name()), ValueCheck.of(k.test()));
        if (c instanceof Condition.Query q) return new ValueTestOn(RequestValue.query(q.name()), ValueCheck.of(q.test()));
        if (c instanceof Condition.Method m) return new MethodTest(m.methods());
        if (c instanceof Condition.Path p) return new PathTest(ValueCheck.of(p.test()));
        if (c instanceof Condition.All all) return new AllTest(compile(all.of(), sets));
        if (c instanceof Condition.Any any) return new AnyTest(compile(any.of(), sets));
        if (c instanceof Condition.Not not) return new NotTest(of(not.of(), sets));
        throw new IllegalArgumentException("unknown condition " + c);
    }

    private static RequestTest[] compile(List<Condition> cs, Map<String, IpSet> sets) {
        RequestTest[] out = new RequestTest[cs.size()];
        for (int i = 0; i < out.length; i++) out[i] = of(cs.get(i), sets);
        return out;
    }

    static final class ClientIpIn extends RequestTest {
        private final String name;
        final IpSet set;

        ClientIpIn(String name, IpSet set) {
            this.name = name;
            this.set = set;
        }

        @Override
        boolean test(RequestView r) {
            ClientAddress a = r.client();
            return set.contains(a.hi(), a.lo());
        }

        @Override
        String describe() {
            int n = set.size();
            return "client IP in set " + name + " (" + n + (n == 1 ? " entry)" : " entries)");
        }

        @Override
        String observed(RequestView r) {
            IpEntry covering = set.entryCovering(r.client().toIpAddress());
            return "client IP " + r.client() + (covering == null ? " is in no entry" : " is in entry " + covering);
        }
    }

    /** A header, a cookie or a query parameter passes a value check. */
    private static final class ValueTestOn extends RequestTest {
        private final RequestValue value;
        private final ValueCheck check;

        ValueTestOn(RequestValue value, ValueCheck check) {
            this.value = value;
            this.check = check;
        }

        @Override
        boolean test(RequestView r) {
            String text = value.text(r);
            long at = value.place(text);
            return at == RequestValues.ABSENT ? check.testAbsent() : check.test(text, RequestValues.from(at), RequestValues.to(at));
        }

        @Override
        String describe() {
            return value.describe() + " " + check.describe();
        }

        @Override
        String observed(RequestView r) {
            String v = value.shown(r);
            return value.describe() + (v == null ? " is absent" : " is " + ValueCheck.quote(v));
        }
    }

    private static final class MethodTest extends RequestTest {
        private final String[] methods;

        MethodTest(List<String> methods) {
            this.methods = methods.toArray(new String[0]);
        }

        @Override
        boolean test(RequestView r) {
            String m = r.method();
            for (String x : methods) if (x.equals(m)) return true;
            return false;
        }

        @Override
        String describe() {
            return "method in " + String.join("|", methods);
        }

        @Override
        String observed(RequestView r) {
            return "method is " + r.method();
        }
    }

    private static final class PathTest extends RequestTest {
        private final ValueCheck check;

        PathTest(ValueCheck check) {
            this.check = check;
        }

        @Override
        boolean test(RequestView r) {
            String p = r.path();
            return check.test(p, 0, p.length());
        }

        @Override
        String describe() {
            return "path " + check.describe();
        }

        @Override
        String observed(RequestView r) {
            return "path is " + ValueCheck.quote(r.path());
        }
    }

    private static final class AllTest extends RequestTest {
        private final RequestTest[] of;

        AllTest(RequestTest[] of) {
            this.of = of;
        }

        @Override
        boolean test(RequestView r) {
            for (RequestTest t : of) if (!t.test(r)) return false;
            return true;
        }

        @Override
        String describe() {
            return joined(of, " and ");
        }

        @Override
        String observed(RequestView r) {
            for (RequestTest t : of) if (!t.test(r)) return "not all hold: " + t.observed(r);
            return "all hold";
        }
    }

    private static final class AnyTest extends RequestTest {
        private final RequestTest[] of;

        AnyTest(RequestTest[] of) {
            this.of = of;
        }

        @Override
        boolean test(RequestView r) {
            for (RequestTest t : of) if (t.test(r)) return true;
            return false;
        }

        @Override
        String describe() {
            return joined(of, " or ");
        }

        @Override
        String observed(RequestView r) {
            for (RequestTest t : of) if (t.test(r)) return "holds: " + t.observed(r);
            return "none holds";
        }
    }

    private static final class NotTest extends RequestTest {
        private final RequestTest of;

        NotTest(RequestTest of) {
            this.of = of;
        }

        @Override
        boolean test(RequestView r) {
            return !of.test(r);
        }

        @Override
        String describe() {
            return "not (" + of.describe() + ")";
        }

        @Override
        String observed(RequestView r) {
            return of.observed(r);
        }
    }

    private static String joined(RequestTest[] tests, String separator) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < tests.length; i++) sb.append(i == 0 ? "" : separator).append(tests[i].describe());
        return sb.append(')').toString();
    }
}
