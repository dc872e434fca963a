package io.graygate.stats;

import io.graygate.routing.Route;
import io.graygate.routing.RouteTable;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The traffic metrics in Prometheus's model, read off the per-loop meters and the route table at scrape time, so
 * that no client-library call is made on the request path: requests per route, version and outcome, the request and
 * upstream duration histograms, decisions per rule, the split's weights and the policy revision of each route.
 */
public final class TrafficCollector implements MultiCollector {

    private final TrafficMeters meters;
    private final Supplier<RouteTable> routes;

    public TrafficCollector(TrafficMeters meters, Supplier<RouteTable> routes) {
        this.meters = meters;
        this.routes = routes;
    }

    @Override
    public MetricSnapshots collect() {
        List<VersionMeter> versions = meters.versions();
        versions.sort(Comparator.comparing(VersionMeter::route).thenComparing(VersionMeter::version));
        CounterSnapshot.Builder requests = CounterSnapshot.builder().name("graygate_http_requests")
                .help("Requests answered, by route, version and code (status class, or upstream_error when the upstream failed)");
        HistogramSnapshot.Builder durations = HistogramSnapshot.builder().name("graygate_http_request_duration_seconds")
                .help("Whole exchanges, from the request's first byte to the response's last, by route and version");
        HistogramSnapshot.Builder upstream = HistogramSnapshot.builder().name("graygate_upstream_response_duration_seconds")
                .help("The upstream's part: from asking for a connection to the response's last byte, for requests it answered");
        for (VersionMeter v : versions) {
            for (int o = 0; o < Outcome.COUNT; o++) {
                long n = v.requests(o);
                if (n == 0 && o != Outcome.of(200)) continue; // one series per version from the start; the others once seen
                requests.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder()
                        .labels(Labels.of("route", v.route(), "version", v.version(), "code", Outcome.label(o))).value(n).build());
            }
            Labels labels = Labels.of("route", v.route(), "version", v.version());
            durations.dataPoint(histogram(labels, v.requestBuckets(), v.requestSeconds()));
            upstream.dataPoint(histogram(labels, v.upstreamBuckets(), v.upstreamSeconds()));
        }
        CounterSnapshot.Builder decisions = CounterSnapshot.builder().name("graygate_decisions")
                .help("Routing decisions made, by route, version chosen and the rule that chose it ((override), (baseline) or a rule's name)");
        List<DecisionMeter> made = meters.decisions();
        made.sort(Comparator.comparing((DecisionMeter d) -> d.version().route()).thenComparing(d -> d.version().version()).thenComparing(DecisionMeter::rule));
        for (DecisionMeter d : made) {
            decisions.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder()
                    .labels(Labels.of("route", d.version().route(), "version", d.version().version(), "rule", d.rule())).value(d.made()).build());
        }
        GaugeSnapshot.Builder weights = GaugeSnapshot.builder().name("graygate_route_weight_ratio")
                .help("The share of a route's requests no match rule takes that the policy sends to each version (override, first unconditional split, else the baseline), 0 to 1");
        GaugeSnapshot.Builder revisions = GaugeSnapshot.builder().name("graygate_policy_revision")
                .help("The revision of the route's policy and IP sets in force on this node");
        for (Route r : routes.get().routes()) {
            revisions.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(Labels.of("route", r.name())).value(r.revision()).build());
            weights(r).forEach((version, bp) -> weights.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                    .labels(Labels.of("route", r.name(), "version", version)).value(bp / 10_000.0).build()));
        }
        return MetricSnapshots.of(requests.build(), durations.build(), upstream.build(), decisions.build(), weights.build(), revisions.build());
    }

    /**
     * Each version's share, in basis points, of the requests no match rule takes: the override's or the first
     * unconditional split's, and with neither, all of it to the baseline.
     */
    public static Map<String, Integer> weights(Route r) {
        Map<String, Integer> shares = r.splitShares();
        if (shares != null) return shares;
        Map<String, Integer> out = new java.util.LinkedHashMap<>();
        for (String v : r.upstreamByVersion().keySet()) out.put(v, v.equals(r.baseline()) ? 10_000 : 0);
        return out;
    }

    private static HistogramSnapshot.HistogramDataPointSnapshot histogram(Labels labels, long[] perBucket, double sumSeconds) {
        double[] bounds = new double[VersionMeter.BUCKETS];
        System.arraycopy(VersionMeter.BOUNDS_SECONDS, 0, bounds, 0, VersionMeter.BOUNDS_SECONDS.length);
        bounds[bounds.length - 1] = Double.POSITIVE_INFINITY;
        return HistogramSnapshot.HistogramDataPointSnapshot.builder().labels(labels)
                .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, perBucket)).sum(sumSeconds).build();
    }
}
