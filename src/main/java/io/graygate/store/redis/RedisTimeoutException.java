package io.graygate.store.redis;

import io.lettuce.core.RedisCommandTimeoutException;

import java.time.Duration;

/** Redis did not answer one command within the timeout graygate gave that command, which it carries and names. */
final class RedisTimeoutException extends RedisCommandTimeoutException {

    private final Duration timeout;

    RedisTimeoutException(String what, Duration timeout) {
        super(what + ": no answer from Redis within " + timeout.toMillis() + " ms");
        this.timeout = timeout;
    }

    /** The timeout that was in force for the command. */
    Duration timeout() {
        return timeout;
    }
}
