package io.graygate.store.redis;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Warns once per content about set members that are not addresses (they are skipped, never a failed request). */
final class Rejections {

    private static final Logger log = LoggerFactory.getLogger(Rejections.class);

    private final Map<String, List<String>> shown = new ConcurrentHashMap<>();

    void warn(String subject, List<String> rejected) {
        if (rejected.isEmpty()) {
            shown.remove(subject);
            return;
        }
        if (rejected.equals(shown.put(subject, rejected))) return; // warned once already for this content
        List<String> sample = rejected.subList(0, Math.min(5, rejected.size()));
        log.warn("{}: skipped {} {} that {} not an IP address or CIDR: {}{}", subject, rejected.size(),
                rejected.size() == 1 ? "entry" : "entries", rejected.size() == 1 ? "is" : "are",
                sample.stream().map(s -> "\"" + s + "\"").toList(), rejected.size() > 5 ? " and " + (rejected.size() - 5) + " more" : "");
    }
}
