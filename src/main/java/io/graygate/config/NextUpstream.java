package io.graygate.config;

import java.util.List;

/**
 * When a request goes on to the next server of its group (nginx's {@code proxy_next_upstream}): {@code error} is a
 * failed connect, or a connection reset or closed before any response byte; {@code timeout} is a connect timeout,
 * or the response timeout before any response byte; {@code off} never. A request whose bytes may have been
 * processed (any body sent, or a method that is not idempotent once its head was sent) is never sent again.
 */
public record NextUpstream(boolean onError, boolean onTimeout) {

    public static final NextUpstream DEFAULT = new NextUpstream(true, true);

    static NextUpstream parse(List<String> values) {
        if (values == null) return DEFAULT;
        boolean error = false, timeout = false, off = false;
        for (int i = 0; i < values.size(); i++) {
            String v = values.get(i);
            switch (v == null ? "" : v.strip()) {
                case "error" -> error = true;
                case "timeout" -> timeout = true;
                case "off" -> off = true;
                default -> throw new IllegalArgumentException("nextUpstream[" + i + "]: expected error, timeout or off, got \"" + v + "\"");
            }
        }
        if (off && (error || timeout)) throw new IllegalArgumentException("nextUpstream: off cannot be combined with error or timeout");
        return new NextUpstream(error, timeout);
    }

    public boolean off() {
        return !onError && !onTimeout;
    }
}
