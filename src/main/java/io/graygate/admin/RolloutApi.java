package io.graygate.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.graygate.rollout.RolloutCodec;
import io.graygate.rollout.RolloutController;
import io.graygate.rollout.RolloutSpec;
import io.graygate.rollout.RolloutState;
import io.netty.handler.codec.http.HttpMethod;

import java.util.function.BiFunction;

/** The rollout endpoints: start, read, and pause, resume, promote or abort a route's progressive rollout. */
final class RolloutApi {

    private static final String EXAMPLE = "{\"version\": \"gray\", \"steps\": [{\"weight\": 5, \"pause\": \"1m\"}, {\"weight\": 100, \"pause\": \"1m\"}]}";

    private final RolloutController rollouts;

    private RolloutApi(RolloutController rollouts) {
        this.rollouts = rollouts;
    }

    static void register(Router router, RolloutController rollouts) {
        RolloutApi api = new RolloutApi(rollouts);
        router.add(HttpMethod.POST, "/api/routes/{route}/rollout", api::start)
                .add(HttpMethod.GET, "/api/routes/{route}/rollout", api::status)
                .add(HttpMethod.POST, "/api/routes/{route}/rollout/pause", call -> api.command(call, rollouts::pause))
                .add(HttpMethod.POST, "/api/routes/{route}/rollout/resume", call -> api.command(call, rollouts::resume))
                .add(HttpMethod.POST, "/api/routes/{route}/rollout/promote", call -> api.command(call, rollouts::promote))
                .add(HttpMethod.POST, "/api/routes/{route}/rollout/abort", call -> api.command(call, rollouts::abort));
    }

    private JsonNode start(Router.Call call) {
        RolloutSpec spec = RolloutCodec.readSpec(AdminApi.readJson(call.body(), EXAMPLE));
        return answer(rollouts.start(call.param("route"), spec, call.actor()), call.param("route"));
    }

    private JsonNode status(Router.Call call) {
        String route = call.param("route");
        RolloutState s = rollouts.status(route);
        return s == null ? NullNode.getInstance() : answer(s, route); // the dashboard reads null as "no rollout on this route"
    }

    private JsonNode command(Router.Call call, BiFunction<String, String, RolloutState> command) {
        String route = call.param("route");
        return answer(command.apply(route, call.actor()), route);
    }

    private JsonNode answer(RolloutState s, String route) {
        ObjectNode out = RolloutCodec.writeState(s);
        out.put("driver", rollouts.driver(route));
        return out;
    }
}
