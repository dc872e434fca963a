package io.graygate.policy;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A sticky split's share per version, in basis points (1/100 of a percent; 10000 is everyone), in the order written.
 * The baseline is never listed: it takes the rest.
 */
public record Weights(Map<String, Integer> basisPoints) {

    public static final int ALL = 10_000;
    public static final Weights NONE = new Weights(Map.of());

    public Weights {
        basisPoints = Collections.unmodifiableMap(new LinkedHashMap<>(basisPoints));
    }

    /** The version's share in basis points; 0 when it is not listed. */
    public int of(String version) {
        return basisPoints.getOrDefault(version, 0);
    }

    public Weights with(String version, int bp) {
        Map<String, Integer> copy = new LinkedHashMap<>(basisPoints);
        copy.put(version, bp);
        return new Weights(copy);
    }

    public Weights without(String version) {
        Map<String, Integer> copy = new LinkedHashMap<>(basisPoints);
        copy.remove(version);
        return new Weights(copy);
    }

    public int total() {
        int t = 0;
        for (int bp : basisPoints.values()) t += bp;
        return t;
    }

    /**
     * Reads a percentage with at most two decimals ("10", "2.5", "12.34", optionally "12.5%") into basis points.
     *
     * @throws IllegalArgumentException naming what is wrong, for the caller to prefix with the field's path
     */
    public static int parsePercent(String text) {
        String t = text.strip();
        if (t.endsWith("%")) t = t.substring(0, t.length() - 1).strip();
        BigDecimal d;
        try {
            d = new BigDecimal(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a percentage: \"" + text + "\"");
        }
        return percentToBasisPoints(d, text);
    }

    public static int percentToBasisPoints(BigDecimal percent, String asWritten) {
        if (percent.signum() < 0) throw new IllegalArgumentException("must be 0 or more, got " + asWritten);
        if (percent.compareTo(BigDecimal.valueOf(100)) > 0) throw new IllegalArgumentException("must be at most 100, got " + asWritten);
        BigDecimal bp = percent.movePointRight(2);
        if (bp.stripTrailingZeros().scale() > 0) {
            throw new IllegalArgumentException("at most two decimals, got " + asWritten);
        }
        return bp.intValueExact();
    }

    /** "10", "2.5", "12.34": basis points as the percentage a person writes. */
    public static String percent(int bp) {
        return BigDecimal.valueOf(bp, 2).stripTrailingZeros().toPlainString();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        basisPoints.forEach((v, bp) -> sb.append(sb.length() > 1 ? ", " : "").append(v).append(": ").append(percent(bp)).append('%'));
        return sb.append('}').toString();
    }
}
