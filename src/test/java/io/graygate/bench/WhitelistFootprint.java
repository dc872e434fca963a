package io.graygate.bench;

import io.graygate.config.ConfigLoader;
import io.graygate.config.GatewayConfig;
import io.graygate.routing.ip.IpAddress;
import io.graygate.routing.ip.IpEntry;
import io.graygate.routing.ip.IpSet;
import io.graygate.store.file.FileRuleStore;
import io.graygate.testing.States;
import io.graygate.rules.RuleBook;
import io.graygate.rules.RuleChange;

import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Measures what a large whitelist costs: retained heap (used heap after full collections, before and after), and
 * the time of the admin path's steps on it (store write and read, adding one entry to the set, one change through
 * the rule book and its file store). Run by {@code bench/memory.sh}; prints one line per figure.
 */
public final class WhitelistFootprint {

    private static final String CONFIG = """
            store: file:STORE
            upstreams:
              production: {servers: ["127.0.0.1:9001"]}
              gray: {servers: ["127.0.0.1:9002"]}
            routes:
              - {name: api, pathPrefix: /, stable: production, gray: gray}
            """;

    private WhitelistFootprint() {
    }

    public static void main(String[] args) throws Exception {
        int addresses = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        System.out.printf("%-58s %12s%n", "figure", "value");

        // Each set is measured after the list it was built from is gone: a set keeps its CIDRs as IpEntry objects.
        long base = usedAfterGc();
        IpSet onlyV4 = IpSet.of(SyntheticWhitelist.generate(addresses * 50 / 49 + 50, 0, 1).addresses().subList(0, addresses));
        report("heap: IpSet of " + onlyV4.size() + " IPv4 addresses", mb(usedAfterGc() - base), "MB");
        onlyV4 = null;

        base = usedAfterGc();
        IpSet set = IpSet.of(SyntheticWhitelist.generate(addresses, addresses / 10, 1).all());
        report("heap: IpSet of " + set.size() + " entries (2% IPv6, +10% CIDRs)", mb(usedAfterGc() - base), "MB");
        long beforeList = usedAfterGc();
        List<IpEntry> all = SyntheticWhitelist.generate(addresses, addresses / 10, 1).all();
        report("heap: the same entries as List<IpEntry> (for scale)", mb(usedAfterGc() - beforeList), "MB");
        Reference.reachabilityFence(all);

        Path dir = Files.createTempDirectory("graygate-footprint");
        try {
            Path file = dir.resolve("rules.json");
            IpSet[] seedSet = {set};
            time("store: write " + set.size() + " entries (FileRuleStore.open, fsync)", () -> {
                FileRuleStore s = new FileRuleStore(file);
                s.open(Map.of("api", States.legacy(seedSet[0])), (r, rr) -> { });
                s.close();
                return null;
            });
            report("store: file size", mb(Files.size(file)), "MB");
            set = null;
            seedSet[0] = null;
            base = usedAfterGc();
            GatewayConfig config = ConfigLoader.parse(CONFIG.replace("STORE", file.toString()), Map.of());
            RuleBook book = time("store: read and compile (RuleBook.open over the file)",
                    () -> new RuleBook(config, new FileRuleStore(file)).open());
            report("heap: RuleBook + RouteTable with the whitelist loaded", mb(usedAfterGc() - base), "MB");

            IpSet loaded = book.state("api").ipSets().get("whitelist");
            IpEntry one = new IpEntry(IpAddress.parse("10.9.9.9"), 128);
            IpEntry range = IpEntry.parse("10.200.0.0/16");
            for (int i = 0; i < 3; i++) loaded.with(List.of(one)); // warm up the code path
            timeMedian("set: IpSet.with(1 address)", 9, () -> loaded.with(List.of(one)));
            timeMedian("set: IpSet.with(1 CIDR)", 9, () -> loaded.with(List.of(range)));
            timeMedian("set: IpSet.without(1 address)", 9, () -> loaded.without(List.of(one)));
            time("admin path: RuleBook.apply(add 1 address), file store", () ->
                    book.apply("api", RuleChange.addToSet("whitelist", List.of(one)), "test"));
            time("admin path: RuleBook.apply(remove 1 address), file store", () ->
                    book.apply("api", RuleChange.removeFromSet("whitelist", List.of(one)), "test"));
            book.close();
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
            }
        }
    }

    private static <T> T time(String what, Supplier<T> action) {
        long t0 = System.nanoTime();
        T result = action.get();
        report(what, (System.nanoTime() - t0) / 1e6, "ms");
        return result;
    }

    /** The median of n runs: one run of a step that builds a multi-megabyte table is at the mercy of the collector. */
    private static void timeMedian(String what, int n, Supplier<?> action) {
        long[] ns = new long[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            action.get();
            ns[i] = System.nanoTime() - t0;
        }
        Arrays.sort(ns);
        report(what + ", median of " + n, ns[n / 2] / 1e6, "ms");
    }

    private static void report(String what, double value, String unit) {
        System.out.printf("%-58s %9.1f %s%n", what, value, unit);
    }

    private static double mb(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }

    private static long usedAfterGc() {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
