package io.graygate.dashboard;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * What a browser test of live figures or rollouts starts with: headless Chromium at 1280×800, a whole
 * {@link DashboardGateway} without a token, and client traffic through its proxy in the background for as long as
 * the test wants it. {@link #close()} stops the traffic first, then the browser, then the gateway.
 */
final class DashboardFixture implements AutoCloseable {

    final Browser browser;
    final DashboardGateway gw;
    private final List<BackgroundRequests> traffic = new ArrayList<>();

    DashboardFixture(Path dir) {
        browser = Browser.start();
        try {
            gw = new DashboardGateway(dir, "");
        } catch (RuntimeException e) {
            browser.close();
            throw e;
        }
        browser.viewport(1280, 800);
    }

    /** Sends {@code request.accept(i)}, i = 0, 1, 2, ..., {@code pauseMillis} apart, until the test ends. */
    void inBackground(IntConsumer request, long pauseMillis) {
        traffic.add(BackgroundRequests.start(request, pauseMillis));
    }

    /** Opens {@code view} ("" for the overview, "#/route/demo") of the gateway's dashboard. */
    void open(String view) {
        browser.open(gw.dashboard() + view);
    }

    @Override
    public void close() {
        traffic.forEach(BackgroundRequests::close);
        browser.close();
        gw.close();
    }
}
