package io.graygate.admin;

import io.graygate.config.ConfigException;
import io.graygate.rollout.RolloutException;
import io.graygate.rules.RuleBook;
import io.graygate.policy.PolicyException;
import io.graygate.rules.RevisionConflictException;
import io.graygate.store.StoreUnavailableException;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place that turns a failure into the status and short message the admin API answers with. */
final class ApiErrors {

    private static final Logger log = LoggerFactory.getLogger(ApiErrors.class);

    private ApiErrors() {
    }

    static ApiException toApiException(Throwable failure, String request) {
        if (failure instanceof ApiException api) return api;
        if (failure instanceof ConfigException bad) return ApiException.badRequest("reload refused, the configuration in force stays: " + bad.getMessage());
        if (failure instanceof RuleBook.UnknownRouteException unknown) return ApiException.notFound(unknown.getMessage());
        if (failure instanceof RolloutException r) {
            return ApiException.of(r.kind() == RolloutException.Kind.NOT_FOUND ? HttpResponseStatus.NOT_FOUND : HttpResponseStatus.CONFLICT, r.getMessage());
        }
        if (failure instanceof PolicyException bad) return ApiException.badRequest(bad.getMessage());
        if (failure instanceof RevisionConflictException conflict) return ApiException.of(HttpResponseStatus.PRECONDITION_FAILED, conflict.getMessage());
        if (failure instanceof StoreUnavailableException unavailable) {
            log.warn("admin: {} failed, rule store unavailable: {}", request, unavailable.getMessage());
            return ApiException.of(HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "rule store unavailable, nothing was changed: " + unavailable.getMessage());
        }
        log.error("admin: {} failed", request, failure);
        return ApiException.of(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error; the gateway log has the detail");
    }
}
