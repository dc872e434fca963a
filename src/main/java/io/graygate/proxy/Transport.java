package io.graygate.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
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

import java.util.concurrent.ThreadFactory;

/** The socket transport: Linux epoll when its native library loads, Java NIO otherwise. */
record Transport(String name, Class<? extends ServerChannel> serverChannel, Class<? extends Channel> channel) {

    static Transport best() {
        if (Epoll.isAvailable()) return new Transport("epoll", EpollServerSocketChannel.class, EpollSocketChannel.class);
        return new Transport("nio", NioServerSocketChannel.class, NioSocketChannel.class);
    }

    /** Whether each event loop gets an accepting socket of its own (SO_REUSEPORT, epoll only). */
    boolean reusePort() {
        return name.equals("epoll");
    }

    void reusePort(ServerBootstrap bootstrap) {
        if (reusePort()) bootstrap.option(EpollChannelOption.SO_REUSEPORT, true);
    }

    EventLoopGroup newGroup(int threads, ThreadFactory threadFactory) {
        return name.equals("epoll") ? new EpollEventLoopGroup(threads, threadFactory) : new NioEventLoopGroup(threads, threadFactory);
    }
}
