package io.graygate.routing;

/** A test on a request; the left half of a {@link Rule}. */
public sealed interface Condition permits Condition.ClientIpIn {

    boolean matches(RequestView request);

    /** A short, human description for explanations and logs. */
    String describe();

    static Condition clientIpIn(IpSet whitelist) {
        return new ClientIpIn(whitelist);
    }

    /** True when the client address is one of the set's addresses or falls inside one of its ranges. */
    record ClientIpIn(IpSet whitelist) implements Condition {
        @Override
        public boolean matches(RequestView request) {
            ClientAddress client = request.client();
            return whitelist.contains(client.hi(), client.lo());
        }

        @Override
        public String describe() {
            return "client IP in whitelist (" + whitelist.size() + (whitelist.size() == 1 ? " entry)" : " entries)");
        }
    }
}
