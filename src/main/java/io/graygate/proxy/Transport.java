package io.graygate.proxy;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
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

    EventLoopGroup newGroup(int threads, ThreadFactory threadFactory) {
        return name.equals("epoll") ? new EpollEventLoopGroup(threads, threadFactory) : new NioEventLoopGroup(threads, threadFactory);
    }
}
