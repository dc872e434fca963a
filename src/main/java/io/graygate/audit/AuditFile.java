package io.graygate.audit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The file store's audit log: an append-only JSON-lines file beside the rules file ({@code graygate-rules.json} has
 * {@code graygate-rules.audit.jsonl}), one entry a line, synced after every batch. When a batch would take it past
 * {@code maxSize} it is rotated: {@code .1} is the newest rotated file, up to {@code .KEEP}; older ones are deleted.
 */
public final class AuditFile implements AuditSink {

    private static final Logger log = LoggerFactory.getLogger(AuditFile.class);

    private final Path file;
    private final long maxSize;
    private final int keep;
    private FileChannel channel;

    public AuditFile(Path file, long maxSize, int keep) {
        this.file = file.toAbsolutePath().normalize();
        this.maxSize = maxSize;
        this.keep = keep;
    }

    /** The audit file beside a rules file: its name with ".json" (if any) replaced by ".audit.jsonl". */
    public static Path besideRules(Path rules) {
        String name = rules.getFileName().toString();
        String stem = name.endsWith(".json") ? name.substring(0, name.length() - ".json".length()) : name;
        return rules.resolveSibling(stem + ".audit.jsonl");
    }

    public Path file() {
        return file;
    }

    /** The n-th rotated file, 1 the newest. */
    public Path rotated(int n) {
        return file.resolveSibling(file.getFileName() + "." + n);
    }

    @Override
    public synchronized void append(List<AuditEntry> entries) throws IOException {
        StringBuilder text = new StringBuilder(entries.size() * 160);
        for (AuditEntry e : entries) text.append(AuditCodec.line(e)).append('\n');
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        FileChannel c = channel();
        if (c.size() > 0 && c.size() + bytes.length > maxSize) {
            rotate();
            c = channel();
        }
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) c.write(buffer);
        c.force(false);
    }

    private FileChannel channel() throws IOException {
        if (channel == null || !channel.isOpen()) {
            Files.createDirectories(file.getParent());
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        }
        return channel;
    }

    private void rotate() throws IOException {
        channel.close();
        channel = null;
        Files.deleteIfExists(rotated(keep));
        for (int n = keep - 1; n >= 1; n--) {
            if (Files.exists(rotated(n))) Files.move(rotated(n), rotated(n + 1), StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(file, rotated(1), StandardCopyOption.ATOMIC_MOVE);
        log.info("audit log {} rotated (over {} bytes); {} kept", file, maxSize, rotated(1).getFileName());
    }

    @Override
    public synchronized List<AuditEntry> read(String route, Instant since, int limit) throws IOException {
        List<AuditEntry> out = new ArrayList<>();
        for (int n = 0; n <= keep && out.size() < limit; n++) {
            List<String> lines;
            try {
                lines = Files.readAllLines(n == 0 ? file : rotated(n), StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                continue;
            }
            for (int i = lines.size() - 1; i >= 0 && out.size() < limit; i--) {
                String line = lines.get(i);
                if (line.isBlank()) continue;
                AuditEntry e;
                try {
                    e = AuditCodec.parse(line);
                } catch (IllegalArgumentException bad) {
                    log.debug("audit log {}: line {} skipped: {}", n == 0 ? file : rotated(n), i + 1, bad.getMessage());
                    continue;
                }
                if (since != null && e.time().isBefore(since)) return out; // older still from here on
                if (route == null || route.equals(e.route())) out.add(e);
            }
        }
        return out;
    }

    @Override
    public String describe() {
        return file.toString();
    }

    @Override
    public synchronized void close() {
        if (channel == null) return;
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("audit log {}: close failed", file, e);
        }
        channel = null;
    }
}
