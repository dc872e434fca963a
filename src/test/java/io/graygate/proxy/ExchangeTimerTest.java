package io.graygate.proxy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Whose time is up, for each thing a connection can wait on (timeouts in ns: idle 75, header 30, body 60, response 50). */
class ExchangeTimerTest {

    private final ExchangeTimer timer = new ExchangeTimer(75, 30, 60, 50);

    @ParameterizedTest(name = "{0} for {1} -> {2}")
    @CsvSource({
            "IDLE,          74, WAIT,                 1",
            "IDLE,          75, CLOSE_IDLE,           -1",
            "IDLE,          0,  WAIT,                 30",
            "REQUEST_HEAD,  29, WAIT,                 1",
            "REQUEST_HEAD,  30, REQUEST_HEAD_TIMEOUT, -1",
            "REQUEST_BODY,  59, WAIT,                 1",
            "REQUEST_BODY,  60, REQUEST_BODY_TIMEOUT, -1",
            "REQUEST_BODY,  0,  WAIT,                 30",
            "UPSTREAM,      49, WAIT,                 1",
            "UPSTREAM,      50, RESPONSE_TIMEOUT,     -1",
            "NOTHING,       1000, WAIT,               30",
    })
    void verdicts(ExchangeTimer.Waiting waiting, long elapsed, ExchangeTimer.Verdict verdict, long nextDelay) {
        long now = 1_000_000;
        assertThat(timer.check(waiting, now - elapsed, now)).isEqualTo(verdict);
        if (verdict == ExchangeTimer.Verdict.WAIT) assertThat(timer.nextDelay()).isEqualTo(nextDelay);
    }
}
