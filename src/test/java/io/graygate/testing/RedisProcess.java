package io.graygate.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.Stream;

/**
 * A real redis-server (or Sentinel) process for tests, on a free loopback port, with no persistence, in a temporary
 * directory of its own. Uses {@code redis-server} from PATH, else the Linux binary shipped in the embedded-redis jar.
 * Never touches the machine's own Redis.
 */
public final class RedisProcess implements AutoCloseable {

    private static final Duration START_DEADLINE = Duration.ofSeconds(10);
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
    private static volatile Path executable;

    static {
        // A test that dies half-way must not leave redis-server processes behind.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly), "redis-process-reaper"));
    }

    private final Path dir;
    private final List<String> args;
    private final boolean sentinel;
    private final int port;
    private Process process;

    private RedisProcess(Path dir, List<String> args, boolean sentinel, int port) {
        this.dir = dir;
        this.args = args;
        this.sentinel = sentinel;
        this.port = port;
    }

    /** Starts a standalone server; {@code extraArgs} are redis-server options such as "--requirepass", "s3cret". */
    public static RedisProcess start(String... extraArgs) {
        return launch(false, port -> {
            List<String> a = new ArrayList<>(List.of("--port", Integer.toString(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no"));
            a.addAll(Arrays.asList(extraArgs));
            return a;
        }, null);
    }

    /** Starts a replica of {@code primary}; {@code extraArgs} as for {@link #start}. */
    public static RedisProcess startReplicaOf(RedisProcess primary, String... extraArgs) {
        List<String> a = new ArrayList<>(List.of("--replicaof", "127.0.0.1", Integer.toString(primary.port())));
        a.addAll(Arrays.asList(extraArgs));
        return start(a.toArray(String[]::new));
    }

    /**
     * Starts a Sentinel ({@code redis-server sentinel.conf --sentinel}) that watches {@code primary} under
     * {@code masterName}, with short timings so that a failover takes a few seconds.
     */
    public static RedisProcess startSentinel(String masterName, RedisProcess primary, int quorum, String primaryPassword) {
        return launch(true, port -> List.of(), port -> String.join("\n",
                "port " + port,
                "bind 127.0.0.1",
                "sentinel monitor " + masterName + " 127.0.0.1 " + primary.port() + " " + quorum,
                primaryPassword == null ? "" : "sentinel auth-pass " + masterName + " " + primaryPassword,
                "sentinel down-after-milliseconds " + masterName + " 1000",
                "sentinel failover-timeout " + masterName + " 3000",
                "sentinel parallel-syncs " + masterName + " 1",
                ""));
    }

    private static RedisProcess launch(boolean sentinel, IntFunction<List<String>> args, IntFunction<String> sentinelConf) {
        IOException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            try {
                Path dir = Files.createTempDirectory("graygate-redis-");
                int port = freePort();
                List<String> a = new ArrayList<>(args.apply(port));
                if (sentinelConf != null) {
                    Path conf = dir.resolve("sentinel.conf");
                    Files.writeString(conf, sentinelConf.apply(port));
                    a.add(0, conf.toString());
                    a.add("--sentinel");
                }
                RedisProcess p = new RedisProcess(dir, List.copyOf(a), sentinel, port);
                if (p.tryStart()) return p;
                last = new IOException("redis-server did not start on port " + port + ":\n" + p.logTail());
                p.deleteDir();
            } catch (IOException e) {
                last = e;
            }
        }
        throw new UncheckedIOException("cannot start redis-server", last);
    }

    /** Starts the process again on the same port with the same options (after {@link #kill()} or {@link #stop()}); its data is gone. */
    public void restart() {
        if (isAlive()) throw new IllegalStateException("still running on port " + port);
        long deadline = System.nanoTime() + START_DEADLINE.toNanos();
        while (!tryStart()) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("cannot restart redis on port " + port + ":\n" + logTail());
            pause(50); // the port may linger for a moment after a kill
        }
    }

    private boolean tryStart() {
        List<String> command = new ArrayList<>();
        command.add(executable().toString());
        command.addAll(args);
        try {
            process = new ProcessBuilder(command)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command.get(0), e);
        }
        LIVE.add(process);
        long deadline = System.nanoTime() + START_DEADLINE.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                LIVE.remove(process);
                return false;
            }
            if (answersPing()) return true;
            pause(20);
        }
        kill();
        return false;
    }

    /** True when the server answers PING (a NOAUTH answer counts: it is up, it only wants a password). */
    private boolean answersPing() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            s.setSoTimeout(500);
            OutputStream out = s.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[64];
            int n = in.read(buf);
            if (n <= 0) return false;
            String reply = new String(buf, 0, n, StandardCharsets.US_ASCII);
            return reply.startsWith("+PONG") || reply.startsWith("-NOAUTH");
        } catch (IOException e) {
            return false;
        }
    }

    public int port() {
        return port;
    }

    public String host() {
        return "127.0.0.1";
    }

    /** "redis://127.0.0.1:PORT" (for a sentinel, its host:port is what a sentinel URI lists). */
    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    public boolean isSentinel() {
        return sentinel;
    }

    /** Kills the process with SIGKILL, as a crash would, and waits until it is gone. */
    public void kill() {
        if (process == null) return;
        process.destroyForcibly();
        await(process);
    }

    /** Freezes the process (SIGSTOP): it keeps its connections but answers nothing, like a hung server. */
    public void pause() {
        signal("-STOP");
    }

    /** Thaws a {@link #pause()}d process (SIGCONT). */
    public void resume() {
        signal("-CONT");
    }

    private void signal(String signal) {
        try {
            Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start();
            if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) throw new IllegalStateException("kill " + signal + " failed");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Stops the process with SIGTERM and waits until it is gone. */
    public void stop() {
        if (process == null) return;
        process.destroy();
        if (!await(process)) {
            process.destroyForcibly();
            await(process);
        }
    }

    private boolean await(Process p) {
        try {
            boolean gone = p.waitFor(10, TimeUnit.SECONDS);
            if (gone) LIVE.remove(p);
            return gone;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The last lines the server wrote, for failure messages. */
    public String logTail() {
        try {
            Path log = dir.resolve("redis.log");
            if (!Files.exists(log)) return "(no log)";
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(cannot read log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        stop();
        deleteDir();
    }

    private void deleteDir() {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory left behind is harmless
        }
    }

    /** A loopback port that was free a moment ago, for options such as --tls-port. */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    private static Path executable() {
        Path e = executable;
        if (e == null) {
            synchronized (RedisProcess.class) {
                if (executable == null) executable = findExecutable();
                e = executable;
            }
        }
        return e;
    }

    private static Path findExecutable() {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(java.io.File.pathSeparator)) {
                Path candidate = Path.of(d, "redis-server");
                if (Files.isExecutable(candidate)) return candidate;
            }
        }
        return extractEmbedded();
    }

    /** The binary the embedded-redis test dependency ships, copied out of its jar once per JVM. */
    private static Path extractEmbedded() {
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        if (!os.contains("linux")) throw new IllegalStateException("no redis-server on PATH and no embedded binary for " + os);
        String resource = arch.contains("aarch64") || arch.contains("arm64") ? "/redis-server-6.2.7-linux-arm64"
                : "/redis-server-6.2.6-v5-linux-amd64";
        try (InputStream in = RedisProcess.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("no redis-server on PATH and no " + resource + " on the test classpath");
            Path target = Files.createTempFile("redis-server-", "");
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            if (!target.toFile().setExecutable(true)) throw new IllegalStateException("cannot make " + target + " executable");
            target.toFile().deleteOnExit();
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract " + resource, e);
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public String toString() {
        return (sentinel ? "redis-sentinel" : "redis-server") + " on 127.0.0.1:" + port;
    }
}
