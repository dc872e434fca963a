package io.graygate.store;

/** The store cannot take a write now (e.g. Redis is down); nothing was changed. The admin API answers 503. */
public final class StoreUnavailableException extends RuntimeException {

    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
