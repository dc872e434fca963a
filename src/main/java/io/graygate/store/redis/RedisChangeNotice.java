package io.graygate.store.redis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.graygate.policy.PolicyCodec;
import io.graygate.store.Delta;
import io.graygate.store.StateCodec;

import java.util.Optional;

/**
 * The message published on the change channel after every write: the route, its new revision and, when it carries
 * at most {@value #MAX_DELTA_ENTRIES} entries, the delta itself in {@link StateCodec}'s form, so that a node one
 * revision behind applies it without reading the route back. Without a delta it says "read the route from Redis".
 * JSON, one line: {@code {"route":"web","revision":8,"delta":{...}}}.
 */
record RedisChangeNotice(String route, long revision, Optional<Delta> delta) {

    /** A change with more entries than this is announced without its delta: the message stays small. */
    static final int MAX_DELTA_ENTRIES = 1000;

    static String reload(String route, long revision) {
        ObjectNode o = PolicyCodec.JSON.createObjectNode();
        o.put("route", route);
        o.put("revision", revision);
        return o.toString();
    }

    static String encode(String route, Delta d) {
        ObjectNode o = PolicyCodec.JSON.createObjectNode();
        o.put("route", route);
        o.put("revision", d.to());
        if (d.entryCount() <= MAX_DELTA_ENTRIES) o.set("delta", StateCodec.deltaNode(d));
        return o.toString();
    }

    /** Decodes a notice; anything malformed is empty (the periodic revision check still catches the change). */
    static Optional<RedisChangeNotice> decode(String message) {
        JsonNode o;
        try {
            o = StateCodec.tree(message);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (!o.path("route").isTextual() || !o.path("revision").canConvertToLong()) return Optional.empty();
        Optional<Delta> delta = Optional.empty();
        if (o.hasNonNull("delta")) {
            try {
                delta = Optional.of(StateCodec.delta(o.get("delta")));
            } catch (RuntimeException e) {
                // an undecodable delta: the route is read back instead
            }
        }
        return Optional.of(new RedisChangeNotice(o.get("route").textValue(), o.get("revision").asLong(), delta));
    }
}
