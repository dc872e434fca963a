package io.graygate.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Locale;

/**
 * Where the audit log keeps its length in bounds: {@code maxEntries} for the Redis stream (trimmed approximately,
 * as {@code XADD ... MAXLEN ~}), {@code maxFileSize} and {@code keepFiles} for the JSON-lines file of the file store.
 */
public record AuditConfig(long maxEntries, long maxFileSize, int keepFiles) {

    public static final long DEFAULT_MAX_ENTRIES = 100_000;
    public static final long DEFAULT_MAX_FILE_SIZE = 10L * 1024 * 1024;
    public static final int DEFAULT_KEEP_FILES = 5;
    static final long MIN_FILE_SIZE = 4096;

    @JsonCreator
    public AuditConfig(@JsonProperty("maxEntries") Long maxEntries, @JsonProperty("maxFileSize") String maxFileSize,
                       @JsonProperty("keepFiles") Integer keepFiles) {
        this(maxEntries == null ? DEFAULT_MAX_ENTRIES : maxEntries,
                maxFileSize == null ? DEFAULT_MAX_FILE_SIZE : size("maxFileSize", maxFileSize),
                keepFiles == null ? DEFAULT_KEEP_FILES : keepFiles);
    }

    public AuditConfig {
        if (maxEntries < 1) throw new IllegalArgumentException("maxEntries: must be at least 1, got " + maxEntries);
        if (maxFileSize < MIN_FILE_SIZE) throw new IllegalArgumentException("maxFileSize: must be at least " + MIN_FILE_SIZE + " bytes, got " + maxFileSize);
        if (keepFiles < 1) throw new IllegalArgumentException("keepFiles: must be at least 1 (the rotated files kept), got " + keepFiles);
    }

    public static AuditConfig defaults() {
        return new AuditConfig(DEFAULT_MAX_ENTRIES, DEFAULT_MAX_FILE_SIZE, DEFAULT_KEEP_FILES);
    }

    /** Bytes, with an optional k, m or g suffix (1024-based; a trailing b is allowed): 65536, 64k, 10MB. */
    static long size(String field, String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.endsWith("b")) t = t.substring(0, t.length() - 1);
        long unit = 1;
        if (!t.isEmpty()) {
            switch (t.charAt(t.length() - 1)) {
                case 'k' -> unit = 1024;
                case 'm' -> unit = 1024 * 1024;
                case 'g' -> unit = 1024L * 1024 * 1024;
                default -> { }
            }
        }
        if (unit != 1) t = t.substring(0, t.length() - 1).strip();
        try {
            long n = Long.parseLong(t);
            if (n < 0) throw new NumberFormatException();
            return Math.multiplyExact(n, unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(field + ": expected a size such as 10MB, 512k or 1048576, got \"" + text + "\"");
        }
    }
}
