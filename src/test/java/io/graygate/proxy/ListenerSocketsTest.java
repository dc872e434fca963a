package io.graygate.proxy;

import io.graygate.testing.Polling;
import io.graygate.testing.RawHttpClient;
import io.graygate.testing.TestUpstream;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The accepting side: one SO_REUSEPORT socket per event loop on each Linux transport, and the socket options accepted
 * connections get.
 */
class ListenerSocketsTest {

    @ParameterizedTest
    @ValueSource(strings = {"io_uring", "epoll"})
    void eachLoopAcceptsOnASocketOfItsOwnAndServesWhatItAccepted(String transport, @TempDir Path dir) {
        assumeTrue(transport.equals("io_uring") ? IoUring.isAvailable() : Epoll.isAvailable(), transport + " does not load here");
        try (TestUpstream up = TestUpstream.start("production");
             ProxyHarness p = ProxyHarness.start(dir, ProxyHarness.twoGroups(up.hostPort(), up.hostPort(), "",
                     "proxy: {ioThreads: 2, transport: " + transport + "}"))) {
            assertThat(p.proxy.transportName()).isEqualTo(transport);
            List<Channel> sockets = p.proxy.listenerSockets(0);
            assertThat(sockets).hasSize(2);
            assertThat(sockets).extracting(Channel::localAddress).containsOnly(p.address());
            assertThat(sockets.get(0).eventLoop()).isNotSameAs(sockets.get(1).eventLoop());
            List<RawHttpClient> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 64; i++) {
                    RawHttpClient c = RawHttpClient.connect(p.address());
                    clients.add(c);
                    assertThat(c.get("/n", "x").read().bodyText()).isEqualTo("production");
                }
                Polling.await("64 open client connections", Duration.ofSeconds(5),
                        () -> p.proxy.clientChannelsByLoop().stream().mapToInt(List::size).sum() == 64);
                // the kernel spreads connections over the sockets by a hash: with 64, both loops get some
                assertThat(p.proxy.clientChannelsByLoop()).allSatisfy(loop -> assertThat(loop).isNotEmpty());
                for (List<Channel> loop : p.proxy.clientChannelsByLoop()) {
                    for (Channel ch : loop) {
                        assertThat(ch.config().getOption(ChannelOption.TCP_NODELAY)).as("TCP_NODELAY").isTrue();
                    }
                }
            } finally {
                for (RawHttpClient c : clients) c.close();
            }
        }
    }
}
