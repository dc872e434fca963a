package io.graygate.proxy;

import io.graygate.config.ConfigException;
import io.graygate.testing.RawHttpClient;
import io.graygate.testing.TestUpstream;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code proxy.transport}: auto takes the best that loads; a named one is used or refused; a bad name is refused (ConfigLoaderTest). */
class TransportChoiceTest {

    @Test
    void autoTakesIoUringThenEpollThenNio(@TempDir Path dir) throws Exception {
        String expected = IoUring.isAvailable() ? "io_uring" : Epoll.isAvailable() ? "epoll" : "nio";
        try (TestUpstream up = TestUpstream.start("production");
             ProxyHarness p = ProxyHarness.start(dir, ProxyHarness.twoGroups(up.hostPort(), up.hostPort(), "", ""));
             RawHttpClient c = RawHttpClient.connect(p.address())) {
            assertThat(p.proxy.transportName()).isEqualTo(expected);
            assertThat(c.get("/a", "app.test").read().bodyText()).isEqualTo("production");
        }
    }

    @Test
    void nioCanBeNamedOnLinuxToo(@TempDir Path dir) throws Exception {
        try (TestUpstream up = TestUpstream.start("production");
             ProxyHarness p = ProxyHarness.start(dir, ProxyHarness.twoGroups(up.hostPort(), up.hostPort(), "", "proxy: {transport: NIO}"));
             RawHttpClient c = RawHttpClient.connect(p.address())) {
            assertThat(p.proxy.transportName()).isEqualTo("nio");
            assertThat(c.get("/a", "app.test").read().bodyText()).isEqualTo("production");
            c.send("POST /e?echo=body HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
            assertThat(c.read().bodyText()).isEqualTo("hello");
        }
    }

    @Test
    void aNamedTransportThatDoesNotLoadIsRefusedWithTheReason() {
        // On a machine where both load, naming either gives it; elsewhere, naming the missing one is refused.
        String missing = !IoUring.isAvailable() ? "io_uring" : !Epoll.isAvailable() ? "epoll" : null;
        if (missing == null) {
            assertThat(Transport.select("io_uring").name()).isEqualTo("io_uring");
            assertThat(Transport.select("epoll").name()).isEqualTo("epoll");
            return;
        }
        assertThatThrownBy(() -> Transport.select(missing)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("proxy.transport: " + missing + " is not available on this machine");
    }
}
