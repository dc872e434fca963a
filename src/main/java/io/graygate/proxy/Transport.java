package io.graygate.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.Socket;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;

import java.util.concurrent.ThreadFactory;

/** The socket transport: Linux epoll when its native library loads, Java NIO otherwise. */
record Transport(String name, Class<? extends ServerChannel> serverChannel, Class<? extends Channel> channel) {

    static Transport best() {
        if (!"epoll".equals(System.getProperty("graygate.transport")) && IoUring.isAvailable())
            return new Transport("io_uring", IoUringServerSocketChannel.class, IoUringSocketChannel.class);
        if (Epoll.isAvailable()) return new Transport("epoll", EpollServerSocketChannel.class, EpollSocketChannel.class);
        return new Transport("nio", NioServerSocketChannel.class, NioSocketChannel.class);
    }

    /** Whether each event loop gets an accepting socket of its own (SO_REUSEPORT, epoll only). */
    boolean reusePort() {
        return !name.equals("nio");
    }

    /**
     * The listening socket's options. With epoll: SO_REUSEPORT; TCP_DEFER_ACCEPT (nginx's "deferred"), so that a
     * connection is accepted once its first bytes are in, which spares a wake-up per connection between the accept
     * and the first read; and TCP_NODELAY on the listening socket, which Linux copies to the
     * sockets it accepts (Netty's epoll channel also sets it on each accepted socket, which its API does not let us skip).
     * With NIO, TCP_NODELAY per connection.
     */
    void configureListener(ServerBootstrap bootstrap) {
        if (!reusePort()) {
            bootstrap.childOption(ChannelOption.TCP_NODELAY, true);
            return;
        }
        if (name.equals("io_uring")) {
            bootstrap.option(IoUringChannelOption.SO_REUSEPORT, true).option(IoUringChannelOption.TCP_DEFER_ACCEPT, 1).childOption(ChannelOption.TCP_NODELAY, true);
            return;
        }
        bootstrap.option(EpollChannelOption.SO_REUSEPORT, true).option(EpollChannelOption.TCP_DEFER_ACCEPT, 1).handler(new ChannelInitializer<EpollServerSocketChannel>() {
            @Override
            protected void initChannel(EpollServerSocketChannel listener) throws Exception {
                if (listener.fd() instanceof Socket socket) socket.setTcpNoDelay(true);
            }
        });
    }

    EventLoopGroup newGroup(int threads, ThreadFactory threadFactory) {
        if (name.equals("io_uring")) return new io.netty.channel.MultiThreadIoEventLoopGroup(threads, threadFactory, IoUringIoHandler.newFactory());
        return name.equals("epoll") ? new EpollEventLoopGroup(threads, threadFactory) : new NioEventLoopGroup(threads, threadFactory);
    }
}
