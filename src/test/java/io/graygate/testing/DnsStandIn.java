package io.graygate.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A name server on a free UDP port of 127.0.0.1 for tests: answers A queries for the names it was given, with the
 * addresses and TTL set now (changed at will), an empty answer for other types, SERVFAIL while told to fail and
 * NXDOMAIN for names it does not know. Built on Netty's DNS codec.
 */
public final class DnsStandIn implements AutoCloseable {

    private record Records(List<InetAddress> addresses, long ttlSeconds) {
    }

    private final EventLoopGroup group = new NioEventLoopGroup(1);
    private final Channel channel;
    private final Map<String, Records> names = new ConcurrentHashMap<>();
    private final AtomicInteger queries = new AtomicInteger();
    private volatile boolean failing;

    private DnsStandIn() {
        channel = new Bootstrap().group(group).channel(NioDatagramChannel.class)
                .handler(new ChannelInitializer<DatagramChannel>() {
                    @Override
                    protected void initChannel(DatagramChannel ch) {
                        ch.pipeline().addLast(new DatagramDnsQueryDecoder(), new DatagramDnsResponseEncoder(), new Answerer());
                    }
                })
                .bind("127.0.0.1", 0).syncUninterruptibly().channel();
    }

    public static DnsStandIn start() {
        return new DnsStandIn();
    }

    /** "127.0.0.1:PORT", as a {@code resolve.nameservers} entry. */
    public String address() {
        return "127.0.0.1:" + ((InetSocketAddress) channel.localAddress()).getPort();
    }

    /** From now on {@code name} has these IPv4 addresses, with this TTL. */
    public void set(String name, long ttlSeconds, String... addresses) {
        try {
            InetAddress[] parsed = new InetAddress[addresses.length];
            for (int i = 0; i < addresses.length; i++) parsed[i] = InetAddress.getByName(addresses[i]);
            names.put(canonical(name), new Records(List.of(parsed), ttlSeconds));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** While true, every query gets SERVFAIL. */
    public void failing(boolean failing) {
        this.failing = failing;
    }

    /** A queries answered or refused so far. */
    public int queries() {
        return queries.get();
    }

    private static String canonical(String name) {
        return name.endsWith(".") ? name : name + ".";
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class Answerer extends SimpleChannelInboundHandler<DatagramDnsQuery> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramDnsQuery query) {
            DnsQuestion q = query.recordAt(DnsSection.QUESTION);
            DatagramDnsResponse response = new DatagramDnsResponse(query.recipient(), query.sender(), query.id());
            response.setRecursionDesired(query.isRecursionDesired()).setRecursionAvailable(true).setAuthoritativeAnswer(true);
            response.addRecord(DnsSection.QUESTION, q);
            Records records = names.get(canonical(q.name()));
            if (q.type() == DnsRecordType.A) queries.incrementAndGet();
            if (failing) {
                response.setCode(DnsResponseCode.SERVFAIL);
            } else if (records == null) {
                response.setCode(DnsResponseCode.NXDOMAIN);
            } else if (q.type() == DnsRecordType.A) {
                for (InetAddress a : records.addresses()) {
                    response.addRecord(DnsSection.ANSWER, new DefaultDnsRawRecord(q.name(), DnsRecordType.A, records.ttlSeconds(),
                            Unpooled.wrappedBuffer(a.getAddress())));
                }
            }
            ctx.writeAndFlush(response);
        }
    }
}
