package io.graygate.store.file;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import io.graygate.policy.PolicyCodec;
import io.graygate.store.RouteState;
import io.graygate.store.StateCodec;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * Route states on local disk in {@link StateCodec}'s form, shared by the file store and the Redis store's
 * last-known-good snapshot. Written atomically (temporary file, fsync, rename, fsync of the directory).
 */
public final class RulesFile {

    private RulesFile() {
    }

    public static void write(Path file, Map<String, RouteState> routes) {
        Path dir = file.toAbsolutePath().getParent();
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
            try {
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE);
                     OutputStream out = Channels.newOutputStream(ch);
                     JsonGenerator g = PolicyCodec.JSON.getFactory().createGenerator(out, JsonEncoding.UTF8)) {
                    StateCodec.writeRoutes(g, routes);
                    g.flush();
                    ch.force(true);
                }
                try {
                    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true); // makes the rename itself durable
            } catch (IOException ignored) {
                // some file systems do not open directories; the rename is still atomic there
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads a file {@link #write} wrote, or one of graygate's first release (migrated with {@code seeds}). */
    public static StateCodec.Routes read(Path file, Map<String, RouteState> seeds) {
        try (JsonParser p = PolicyCodec.JSON.getFactory().createParser(file.toFile())) {
            return StateCodec.readRoutes(p, seeds);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException(file + ": cannot read the rules file: " + e.getMessage(), e);
        }
    }
}
