package io.graygate.proxy;

/** Where one exchange stands on each side, in the order each side moves; an exchange holds one of each. */
final class ExchangeState {

    private ExchangeState() {
    }

    /** The client's request. */
    enum Request {
        /** Its body (or the end of a bodyless request) is still to come from the client. */
        RECEIVING,
        /** The client's last body part was taken (or the exchange stopped reading it: refused, timed out). */
        RECEIVED,
        /** ... and written to the upstream in full. */
        SENT
    }

    /** The response, from the upstream or from graygate itself. */
    enum Response {
        /** Nothing yet. */
        NONE,
        /** Inside an interim (1xx) response from the upstream. */
        INTERIM,
        /** The upstream has sent a response head (interim, or one refused), but no final response has started. */
        AWAITING_FINAL,
        /** The final response head went to the client; its body may be streaming. */
        STARTED,
        /** The response is complete, or was answered by graygate itself. */
        DONE
    }
}
