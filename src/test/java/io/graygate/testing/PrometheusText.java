package io.graygate.testing;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of Prometheus's text exposition format (0.0.4), for tests: every line is a HELP, a TYPE or a sample;
 * every sample belongs to a family whose TYPE came before it (histograms' _bucket, _count and _sum, counters'
 * _total); names and label names are valid, label values are quoted with only the three escapes the format has,
 * values are numbers. Anything else fails the parse with the line named. The Java client 1.x has no parser.
 */
public final class PrometheusText {

    private static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\\\n]|\\\\[\\\\\"n])*)\"");
    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    private final Map<String, String> types = new LinkedHashMap<>();
    private final Map<String, Double> samples = new LinkedHashMap<>();

    private PrometheusText() {
    }

    public static PrometheusText parse(String text) {
        PrometheusText p = new PrometheusText();
        String[] lines = text.split("\n", -1);
        if (!lines[lines.length - 1].isEmpty()) throw new IllegalArgumentException("the exposition does not end with a newline");
        for (int i = 0; i < lines.length - 1; i++) p.line(i + 1, lines[i]);
        return p;
    }

    private void line(int n, String line) {
        if (line.startsWith("# HELP ")) {
            String name = line.substring(7).split(" ", 2)[0];
            if (!NAME.matcher(name).matches()) throw bad(n, line, "a bad metric name");
            return;
        }
        if (line.startsWith("# TYPE ")) {
            String[] parts = line.substring(7).split(" ");
            if (parts.length != 2 || !NAME.matcher(parts[0]).matches() || !TYPES.contains(parts[1])) throw bad(n, line, "a bad TYPE line");
            if (types.put(parts[0], parts[1]) != null) throw bad(n, line, "a second TYPE for the family");
            return;
        }
        if (line.startsWith("#")) return; // a comment
        Matcher name = NAME.matcher(line);
        if (!name.lookingAt()) throw bad(n, line, "no metric name");
        String metric = name.group();
        int at = name.end();
        StringBuilder series = new StringBuilder(metric);
        if (at < line.length() && line.charAt(at) == '{') {
            int close = line.indexOf("} ", at);
            if (close < 0) throw bad(n, line, "labels not closed");
            String labels = line.substring(at + 1, close);
            series.append('{');
            int pos = 0;
            boolean first = true;
            while (pos < labels.length()) {
                Matcher l = LABEL.matcher(labels).region(pos, labels.length());
                if (!l.lookingAt()) throw bad(n, line, "a bad label at " + labels.substring(pos));
                if (!first) series.append(',');
                series.append(l.group(1)).append("=\"").append(l.group(2)).append('"');
                first = false;
                pos = l.end();
                if (pos < labels.length()) {
                    if (labels.charAt(pos) != ',') throw bad(n, line, "labels not separated by commas");
                    pos++;
                }
            }
            series.append('}');
            at = close + 1;
        }
        if (at >= line.length() || line.charAt(at) != ' ') throw bad(n, line, "no space before the value");
        String[] rest = line.substring(at + 1).split(" ");
        if (rest.length > 2) throw bad(n, line, "more than a value and a timestamp");
        double value = switch (rest[0]) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> {
                try {
                    yield Double.parseDouble(rest[0]);
                } catch (NumberFormatException e) {
                    throw bad(n, line, "a value that is not a number");
                }
            }
        };
        if (family(metric) == null) throw bad(n, line, "a sample of no declared family");
        if (samples.put(series.toString(), value) != null) throw bad(n, line, "the same series twice");
    }

    /** The declared family a sample's name belongs to, or null. */
    private String family(String metric) {
        if (types.containsKey(metric)) return metric;
        for (String suffix : new String[] {"_total", "_bucket", "_count", "_sum", "_created"}) {
            if (metric.endsWith(suffix)) {
                String base = metric.substring(0, metric.length() - suffix.length());
                if (types.containsKey(base)) return base;
            }
        }
        return null;
    }

    private static IllegalArgumentException bad(int n, String line, String why) {
        return new IllegalArgumentException("line " + n + ": " + why + ": " + line);
    }

    /** The family's declared type, or null. */
    public String type(String family) {
        return types.get(family);
    }

    /** The value of one series, written as {@code name{label="value",...}} in the exposition's label order; null if absent. */
    public Double value(String series) {
        return samples.get(series);
    }

    /** The value of a series, 0 when absent (a counter not yet seen). */
    public double valueOrZero(String series) {
        Double v = samples.get(series);
        return v == null ? 0 : v;
    }

    public Map<String, Double> samples() {
        return samples;
    }
}
