package io.graygate.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.util.ReferenceCountUtil;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * What the strict scanner costs per request: one typical browser-like request head (about 500 bytes, no body)
 * decoded by Netty's own request decoder and by {@link StrictRequestDecoder}, on a kept-alive connection.
 * Run with {@code bench/jmh.sh RequestDecoderBenchmark}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RequestDecoderBenchmark {

    private static final byte[] REQUEST = ("GET /api/items?page=2&sort=name HTTP/1.1\r\n"
            + "Host: app.example.com\r\n"
            + "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36\r\n"
            + "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
            + "Accept-Language: en-US,en;q=0.5\r\n"
            + "Accept-Encoding: gzip, deflate, br\r\n"
            + "Cookie: session=0123456789abcdef0123456789abcdef; theme=dark\r\n"
            + "X-Forwarded-For: 203.0.113.7\r\n"
            + "Connection: keep-alive\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

    @Param({"netty", "strict"})
    public String decoder;

    private EmbeddedChannel channel;
    private ByteBuf request;

    @Setup
    public void setUp() {
        HttpDecoderConfig config = new HttpDecoderConfig().setMaxInitialLineLength(16384).setMaxHeaderSize(16384).setMaxChunkSize(65536);
        channel = new EmbeddedChannel(decoder.equals("strict") ? new StrictRequestDecoder(config, new ArrayDeque<>() {
            @Override
            public boolean add(io.netty.handler.codec.http.HttpMethod m) {
                return true; // nobody answers here: the encoder's queue is not kept
            }
        }) : new HttpRequestDecoder(config));
        request = Unpooled.directBuffer(REQUEST.length).writeBytes(REQUEST);
    }

    @Benchmark
    public int decodeOneRequest() {
        channel.writeInbound(request.retainedDuplicate());
        int n = 0;
        Object o;
        while ((o = channel.readInbound()) != null) {
            ReferenceCountUtil.release(o);
            n++;
        }
        return n;
    }

    @TearDown
    public void tearDown() {
        request.release();
        channel.finishAndReleaseAll();
    }
}
