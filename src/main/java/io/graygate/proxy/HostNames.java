package io.graygate.proxy;

import io.graygate.config.HostPort;
import io.graygate.config.ResolveConfig;
import io.graygate.routing.ip.IpAddress;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.resolver.ResolvedAddressTypes;
import io.netty.resolver.dns.DnsCache;
import io.netty.resolver.dns.DnsCacheEntry;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStreamProvider;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.resolver.dns.NoopDnsCache;
import io.netty.resolver.dns.NoopDnsCnameCache;
import io.netty.resolver.dns.SequentialDnsServerAddressStreamProvider;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Resolves upstream host names, never on an event loop of the proxy: Netty's DNS resolver on a thread of its own,
 * /etc/hosts first, then the group's name servers or the system's. Every address a name has is returned, IPv4 first,
 * with the shortest TTL of the records that gave them (none for /etc/hosts and literals). Nothing is cached here,
 * so each call asks again; callers decide how often.
 */
final class HostNames implements AutoCloseable {

    /** The addresses of a name and how long they are good for, or null when the source gives no TTL. */
    record Answer(List<InetAddress> addresses, Duration ttl) {
    }

    private final EventLoopGroup loop = new NioEventLoopGroup(1, new DefaultThreadFactory("graygate-dns", true));
    private final Map<List<Object>, Resolver> resolvers = new ConcurrentHashMap<>();

    /**
     * Every address of {@code host}; blocks the calling thread for at most about twice the configured timeout.
     *
     * @throws UnknownHostException when the name has no address or no answer came in time, with the reason
     */
    Answer resolve(String host, ResolveConfig config) throws UnknownHostException {
        if (IpAddress.parse(host) != null) return new Answer(List.of(InetAddress.getByName(host)), null);
        Resolver r = resolvers.computeIfAbsent(List.of(config.nameservers(), config.timeout()), k -> new Resolver(loop.next(), config));
        return r.resolve(host, config.timeout());
    }

    @Override
    public void close() {
        resolvers.values().forEach(r -> r.dns.close());
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    /** One DNS resolver per set of name servers; one query at a time, so the TTL it notes belongs to that query. */
    private static final class Resolver {
        final DnsNameResolver dns;
        final TtlNote ttl = new TtlNote();

        Resolver(EventLoop loop, ResolveConfig config) {
            this.dns = new DnsNameResolverBuilder(loop)
                    .channelType(NioDatagramChannel.class)
                    .nameServerProvider(servers(config.nameservers()))
                    .resolvedAddressTypes(ResolvedAddressTypes.IPV4_PREFERRED)
                    .resolveCache(ttl)
                    .cnameCache(NoopDnsCnameCache.INSTANCE)
                    .queryTimeoutMillis(config.timeout().toMillis())
                    .build();
        }

        synchronized Answer resolve(String host, Duration timeout) throws UnknownHostException {
            ttl.reset();
            try {
                List<InetAddress> addresses = dns.resolveAll(host).get(timeout.toMillis() * 2 + 100, TimeUnit.MILLISECONDS);
                if (addresses.isEmpty()) throw new UnknownHostException(host + ": no address");
                long seconds = ttl.shortestSeconds();
                return new Answer(List.copyOf(addresses), seconds < 0 ? null : Duration.ofSeconds(seconds));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UnknownHostException(host + ": interrupted");
            } catch (TimeoutException e) {
                throw new UnknownHostException(host + ": no answer within " + timeout.toMillis() * 2 + "ms");
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof UnknownHostException u) throw u;
                throw new UnknownHostException(host + ": " + cause);
            }
        }

        private static DnsServerAddressStreamProvider servers(List<HostPort> nameservers) {
            if (nameservers.isEmpty()) return DnsServerAddressStreamProviders.platformDefault();
            return new SequentialDnsServerAddressStreamProvider(
                    nameservers.stream().map(hp -> new InetSocketAddress(hp.host(), hp.port())).toArray(InetSocketAddress[]::new));
        }
    }

    /** A cache that keeps nothing and notes the shortest TTL it was offered, which is how Netty's resolver tells it. */
    private static final class TtlNote implements DnsCache {
        private volatile long shortest = -1;

        void reset() {
            shortest = -1;
        }

        long shortestSeconds() {
            return shortest;
        }

        @Override
        public DnsCacheEntry cache(String hostname, DnsRecord[] additionals, InetAddress address, long originalTtl, EventLoop loop) {
            long s = shortest;
            if (s < 0 || originalTtl < s) shortest = originalTtl;
            return NoopDnsCache.INSTANCE.cache(hostname, additionals, address, originalTtl, loop);
        }

        @Override
        public DnsCacheEntry cache(String hostname, DnsRecord[] additionals, Throwable cause, EventLoop loop) {
            return NoopDnsCache.INSTANCE.cache(hostname, additionals, cause, loop);
        }

        @Override
        public List<? extends DnsCacheEntry> get(String hostname, DnsRecord[] additionals) {
            return null;
        }

        @Override
        public void clear() {
        }

        @Override
        public boolean clear(String hostname) {
            return false;
        }
    }
}
