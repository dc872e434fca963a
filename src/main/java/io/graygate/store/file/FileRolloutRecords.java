package io.graygate.store.file;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.graygate.policy.PolicyCodec;
import io.graygate.store.RolloutRecords;
import io.graygate.store.StoreUnavailableException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Rollout records of the file store: one JSON file beside the rules file ({@code NAME.rollouts.json}), rewritten
 * atomically on every write. One node uses a file store, so it always holds every lease.
 */
public final class FileRolloutRecords implements RolloutRecords {

    private final Path file;
    private final Map<String, Stored> records = new LinkedHashMap<>();

    /** @param rulesFile the rules file; the records go beside it */
    public FileRolloutRecords(Path rulesFile) {
        Path rules = rulesFile.toAbsolutePath().normalize();
        String name = rules.getFileName().toString();
        String base = name.endsWith(".json") ? name.substring(0, name.length() - ".json".length()) : name;
        this.file = rules.resolveSibling(base + ".rollouts.json");
        if (Files.exists(file)) {
            try {
                JsonNode root = PolicyCodec.JSON.readTree(file.toFile());
                for (Iterator<Map.Entry<String, JsonNode>> it = root.path("rollouts").fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    records.put(e.getKey(), new Stored(e.getValue().get("generation").longValue(), e.getValue().get("record").toString()));
                }
            } catch (IOException | RuntimeException e) {
                throw new IllegalStateException(file + ": cannot read the rollout records: " + e.getMessage(), e);
            }
        }
    }

    public Path file() {
        return file;
    }

    @Override
    public synchronized Stored read(String route) {
        return records.get(route);
    }

    @Override
    public synchronized Outcome write(String route, long expected, String json, String holder) {
        Stored current = records.get(route);
        if ((current == null ? 0 : current.generation()) != expected) return Outcome.CONFLICT;
        Stored next = new Stored(expected + 1, json);
        records.put(route, next);
        try {
            save();
        } catch (IOException | RuntimeException e) {
            if (current == null) records.remove(route);
            else records.put(route, current);
            throw new StoreUnavailableException("cannot write " + file + ": " + e.getMessage() + "; the rollout was not changed", e);
        }
        return Outcome.WRITTEN;
    }

    @Override
    public boolean lease(String route, String node, Duration ttl) {
        return true;
    }

    @Override
    public void release(String route, String node) {
    }

    @Override
    public String holder(String route) {
        return null;
    }

    @Override
    public boolean shared() {
        return false;
    }

    @Override
    public void close() {
        // every write was fsynced when it was made
    }

    private void save() throws IOException {
        ObjectNode root = PolicyCodec.JSON.createObjectNode();
        root.put("format", 1);
        ObjectNode all = root.putObject("rollouts");
        for (Map.Entry<String, Stored> e : records.entrySet()) {
            ObjectNode r = all.putObject(e.getKey());
            r.put("generation", e.getValue().generation());
            r.set("record", PolicyCodec.JSON.readTree(e.getValue().json()));
        }
        Path dir = file.getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(PolicyCodec.JSON.writeValueAsBytes(root)));
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
    }
}
