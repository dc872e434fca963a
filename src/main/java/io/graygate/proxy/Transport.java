package io.graygate.proxy;

import io.graygate.config.ConfigException;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.Socket;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;

import java.util.concurrent.ThreadFactory;

/**
 * The socket transport: Linux io_uring, Linux epoll or Java NIO ({@code proxy.transport}). {@code auto} takes the
 * first of them whose native library loads and whose kernel allows it: io_uring submits the reads and writes of a
 * whole event-loop turn in one system call, where epoll makes one per read and per write (README, "Transport").
 */
record Transport(String name, Class<? extends ServerChannel> serverChannel, Class<? extends Channel> channel) {

    private static final Transport IO_URING = new Transport("io_uring", IoUringServerSocketChannel.class, IoUringSocketChannel.class);
    private static final Transport EPOLL = new Transport("epoll", EpollServerSocketChannel.class, EpollSocketChannel.class);
    private static final Transport NIO = new Transport("nio", NioServerSocketChannel.class, NioSocketChannel.class);

    /**
     * The transport {@code wanted} names (one of {@link io.graygate.config.ProxyConfig#TRANSPORTS}).
     *
     * @throws ConfigException when a native transport is named and does not load here, with the reason
     */
    static Transport select(String wanted) {
        return switch (wanted) {
            case "auto" -> IoUring.isAvailable() ? IO_URING : Epoll.isAvailable() ? EPOLL : NIO;
            case "io_uring" -> {
                if (!IoUring.isAvailable()) throw unavailable(wanted, IoUring.unavailabilityCause());
                yield IO_URING;
            }
            case "epoll" -> {
                if (!Epoll.isAvailable()) throw unavailable(wanted, Epoll.unavailabilityCause());
                yield EPOLL;
            }
            case "nio" -> NIO;
            default -> throw new ConfigException("proxy.transport: expected auto, io_uring, epoll or nio, got \"" + wanted + "\"");
        };
    }

    private static ConfigException unavailable(String wanted, Throwable cause) {
        return new ConfigException("proxy.transport: " + wanted + " is not available on this machine ("
                + (cause == null ? "unknown reason" : cause.getMessage()) + "); use auto to fall back");
    }

    /** Whether each event loop gets an accepting socket of its own (SO_REUSEPORT; the Linux transports). */
    boolean reusePort() {
        return this != NIO;
    }

    /**
     * The listening socket's options. On Linux: SO_REUSEPORT; TCP_DEFER_ACCEPT (nginx's "deferred"), so that a
     * connection is accepted once its first bytes are in, which spares a wake-up per connection between the accept
     * and the first read. With epoll, also TCP_NODELAY on the listening socket, which Linux copies to the sockets it
     * accepts (Netty's channels set it on each accepted socket too, which their API does not let us skip). With NIO,
     * TCP_NODELAY per connection.
     */
    void configureListener(ServerBootstrap bootstrap) {
        if (this == NIO) {
            bootstrap.childOption(ChannelOption.TCP_NODELAY, true);
        } else if (this == IO_URING) {
            bootstrap.option(IoUringChannelOption.SO_REUSEPORT, true).option(IoUringChannelOption.TCP_DEFER_ACCEPT, 1);
        } else {
            bootstrap.option(EpollChannelOption.SO_REUSEPORT, true).option(EpollChannelOption.TCP_DEFER_ACCEPT, 1).handler(new ChannelInitializer<EpollServerSocketChannel>() {
                @Override
                protected void initChannel(EpollServerSocketChannel listener) throws Exception {
                    if (listener.fd() instanceof Socket socket) socket.setTcpNoDelay(true);
                }
            });
        }
    }

    EventLoopGroup newGroup(int threads, ThreadFactory threadFactory) {
        var handlers = this == IO_URING ? IoUringIoHandler.newFactory() : this == EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        return new MultiThreadIoEventLoopGroup(threads, threadFactory, handlers);
    }
}
