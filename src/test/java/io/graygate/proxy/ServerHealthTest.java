package io.graygate.proxy;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Passive health: an answer to a request begun before the server was taken out does not bring it back. */
class ServerHealthTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void anAnswerToARequestBegunBeforeTheServerWentOutLeavesItOut() {
        ServerHealth h = new ServerHealth("10.0.0.1:80 \"production\"", 1, 10 * SECOND);
        long t = 1_000 * SECOND;
        h.failed(t, "connection refused");
        assertThat(h.isUp()).isFalse();

        h.succeeded(t - 1); // in flight on another loop's connection when the failure came
        assertThat(h.isUp()).isFalse();

        h.succeeded(t + 1); // begun after: the server answers again
        assertThat(h.isUp()).isTrue();
    }

    @Test
    void aLaterFailureMovesTheMarkSoOnlyRequestsAfterItCount() {
        ServerHealth h = new ServerHealth("10.0.0.1:80 \"production\"", 1, 10 * SECOND);
        long t = 1_000 * SECOND;
        h.failed(t, "connection refused");
        h.succeeded(t + 5);
        assertThat(h.isUp()).isTrue();
        h.failed(t + 100, "connection reset");
        h.succeeded(t + 50);
        assertThat(h.isUp()).isFalse();
        h.succeeded(t + 150);
        assertThat(h.isUp()).isTrue();
    }
}
