package io.graygate.rollout;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.graygate.audit.AuditEntry;
import io.graygate.audit.AuditLog;
import io.graygate.config.RouteConfig;
import io.graygate.policy.Policy;
import io.graygate.policy.PolicyCodec;
import io.graygate.policy.PolicyException;
import io.graygate.policy.PolicyRule;
import io.graygate.policy.PolicyScope;
import io.graygate.policy.Weights;
import io.graygate.rules.RevisionConflictException;
import io.graygate.rules.RuleBook;
import io.graygate.rules.RuleChange;
import io.graygate.stats.RouteStats;
import io.graygate.stats.StatsQuery;
import io.graygate.stats.StatsScope;
import io.graygate.store.HistoryEntry;
import io.graygate.store.RolloutRecords;
import io.graygate.store.RouteState;
import io.graygate.store.StoreUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Drives the routes' rollouts, reconciled on a tick from the recorded state, never from memory alone, so that a
 * restart or another node continues where the last driver stopped. On each tick, for each route with a rollout
 * that needs driving, this node takes or renews the route's lease (with Redis only one node holds it) and, holding
 * it: accepts or pauses on rule changes made by anyone else, puts the split the rollout wants in force (a
 * compare-and-set on the policy revision: the fencing token), runs the analysis every interval on the cluster's
 * statistics, and moves the state machine (progressing, paused, aborted, succeeded). The calls of the admin API
 * ({@link #start}, {@link #pause}, ...) change the record with a compare-and-set of their own; the driver acts on
 * them at its next tick. Every transition and analysis goes to the audit log, and every transition to the webhook.
 */
public final class RolloutController implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RolloutController.class);
    public static final String ACTOR = "rollout";
    public static final Duration TICK = Duration.ofMillis(200);
    private static final int ATTEMPTS = 5;

    private final RuleBook rules;
    private final RolloutRecords records;
    private final StatsQuery stats;
    private final AuditLog audit;
    private final Notifier notifier;
    private final String node;
    /** Who holds a lease: this node and this process start, so that a node restarted within a lease is not taken for the old one. */
    private final String holder;
    private final ScheduledExecutorService thread;
    /** What this node knows while it drives a route; only the tick thread touches it. */
    private final Map<String, Driving> driving = new HashMap<>();
    private boolean storeLost;
    private boolean closed;

    /** This node's memory of one route it drives: the record's generation it last saw and its clocks. */
    private static final class Driving {
        long generation;
        long elapsedAtRead;
        long readNanos;
        long lastAnalysisNanos;

        Driving(RolloutState s, long now) {
            rebase(s, now);
            lastAnalysisNanos = now;
        }

        void rebase(RolloutState s, long now) {
            generation = s.generation();
            elapsedAtRead = s.stepElapsedMillis();
            readNanos = now;
        }

        long elapsed(RolloutState s, long now) {
            return s.phase() == RolloutState.Phase.PROGRESSING ? elapsedAtRead + (now - readNanos) / 1_000_000 : elapsedAtRead;
        }
    }

    public RolloutController(RuleBook rules, RolloutRecords records, StatsQuery stats, AuditLog audit, Notifier notifier) {
        this(rules, records, stats, audit, notifier, defaultNodeId());
    }

    public RolloutController(RuleBook rules, RolloutRecords records, StatsQuery stats, AuditLog audit, Notifier notifier, String node) {
        this.rules = rules;
        this.records = records;
        this.stats = stats;
        this.audit = audit;
        this.notifier = notifier;
        this.node = node;
        this.holder = node + " (pid " + ProcessHandle.current().pid() + ", " + UUID.randomUUID().toString().substring(0, 8) + ")";
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "graygate-rollout");
            t.setDaemon(true);
            return t;
        });
    }

    /** The host name, when no node id is given. */
    static String defaultNodeId() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "localhost";
        }
    }

    public String node() {
        return node;
    }

    public RolloutController start() {
        thread.scheduleWithFixedDelay(this::tick, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    // ---- the admin API's calls ----------------------------------------------------------------------------------

    /** The route's rollout, or null when it has none. */
    public RolloutState status(String route) {
        known(route);
        RolloutRecords.Stored st = records.read(route);
        return st == null ? null : decode(st);
    }

    /** The node driving the route's rollout, or null (always null with a file store: this node drives). */
    public String driver(String route) {
        return records.holder(route);
    }

    /**
     * Starts a rollout: checked whole against the route first (the version, the rule, every step's weight against
     * the version's slot), refused while another one runs.
     */
    public RolloutState start(String route, RolloutSpec spec, String actor) {
        RouteConfig rc = known(route);
        RouteState current = rules.state(route);
        Policy p = current.policy();
        PolicyScope scope = rules.scope(route);
        if (!scope.versions().contains(spec.version())) {
            throw new PolicyException("version", "no version named \"" + spec.version() + "\"; the route's versions: " + scope.versions());
        }
        if (spec.version().equals(p.baseline())) {
            throw new PolicyException("version", "\"" + spec.version() + "\" is the route's baseline already; roll out another version");
        }
        for (int i = 0; i < spec.steps().size(); i++) {
            try {
                scope.check(RuleChange.Drive.drive(p, spec.rule(), spec.version(), spec.step(i).weight()).withOverride(null));
            } catch (PolicyException e) {
                throw new PolicyException("steps[" + i + "].weight", "cannot be put in force on route " + rc.name() + ": " + e.getMessage());
            }
        }
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            RolloutRecords.Stored st = records.read(route);
            if (st != null) {
                RolloutState running = decode(st);
                if (running.phase().running()) {
                    throw new RolloutException(RolloutException.Kind.CONFLICT, "route " + route + " already has a rollout of " + running.spec().version()
                            + " " + running.phase().text() + " at step " + (running.step() + 1) + " of " + running.spec().steps().size()
                            + "; abort or promote it first");
                }
            }
            long gen = st == null ? 0 : st.generation();
            Instant now = now();
            RolloutState.Event started = new RolloutState.Event(now, actor, node, "-", RolloutState.Phase.PROGRESSING.text(), 0,
                    spec.step(0).weight(), "started: " + spec.version() + " in " + spec.steps().size() + " steps " + weights(spec));
            RolloutState s = RolloutState.start(route, spec, p.baseline(), current.revision(), now, started).toBuilder().generation(gen + 1).build();
            if (records.write(route, gen, encode(s), null) == RolloutRecords.Outcome.WRITTEN) {
                told(s, List.of(started), current.revision(), current.revision());
                log.info("route {}: rollout of {} started by {}: {}", route, spec.version(), actor, weights(spec));
                return s;
            }
        }
        throw busy(route);
    }

    /** Pauses a progressing rollout (or one waiting for traffic) until {@link #resume}. */
    public RolloutState pause(String route, String actor) {
        return command(route, actor, s -> {
            if (s.phase() == RolloutState.Phase.PAUSED && !s.waitingForTraffic()) throw refused(s, "pause", "it is paused already");
            if (!s.phase().running()) throw refused(s, "pause", "it is " + s.phase().text());
            return s.toBuilder().phase(RolloutState.Phase.PAUSED).waitingForTraffic(false).reason("paused by " + actor);
        });
    }

    /** Resumes a paused rollout: its step's weight is put back if it changed meanwhile. */
    public RolloutState resume(String route, String actor) {
        return command(route, actor, s -> {
            if (s.phase() != RolloutState.Phase.PAUSED) throw refused(s, "resume", "it is " + s.phase().text());
            return s.toBuilder().phase(RolloutState.Phase.PROGRESSING).waitingForTraffic(false).reason("resumed by " + actor).settled(false);
        });
    }

    /** Skips the remaining steps and analysis: succeeded, with the spec's onSuccess (everyone to the new version, or hold). */
    public RolloutState promote(String route, String actor) {
        return command(route, actor, s -> {
            if (!s.phase().running()) throw refused(s, "promote", "it is " + s.phase().text());
            return s.toBuilder().phase(RolloutState.Phase.SUCCEEDED).waitingForTraffic(false).reason("promoted by " + actor).settled(false);
        });
    }

    /** Aborts: the new version's weight to 0 (or the previous step's, with onAbort stepBack). */
    public RolloutState abort(String route, String actor) {
        return command(route, actor, s -> {
            if (!s.phase().running()) throw refused(s, "abort", "it is " + s.phase().text());
            return s.toBuilder().phase(RolloutState.Phase.ABORTED).waitingForTraffic(false).reason("aborted by " + actor).settled(false);
        });
    }

    private interface Command {
        RolloutState.Builder on(RolloutState s);
    }

    private RolloutState command(String route, String actor, Command command) {
        known(route);
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            RolloutRecords.Stored st = records.read(route);
            if (st == null) throw new RolloutException(RolloutException.Kind.NOT_FOUND, "route " + route + " has no rollout");
            RolloutState s = decode(st);
            RolloutState.Builder b = command.on(s);
            RolloutState.Event e = event(s, b, actor, b.build().reason());
            b.event(e).updatedAt(now()).generation(st.generation() + 1);
            RolloutState next = b.build();
            if (records.write(route, st.generation(), encode(next), null) == RolloutRecords.Outcome.WRITTEN) {
                told(next, List.of(e), s.revision(), s.revision());
                log.info("route {}: rollout of {} {} -> {} by {}", route, s.spec().version(), s.phase().text(), next.phase().text(), actor);
                return next;
            }
        }
        throw busy(route);
    }

    private static RolloutException refused(RolloutState s, String what, String why) {
        return new RolloutException(RolloutException.Kind.CONFLICT, "cannot " + what + " the rollout of " + s.spec().version() + " on route "
                + s.route() + ": " + why);
    }

    private static RolloutException busy(String route) {
        return new RolloutException(RolloutException.Kind.CONFLICT, "the rollout of route " + route + " kept changing; try again");
    }

    private RouteConfig known(String route) {
        RouteConfig rc = rules.config().route(route);
        if (rc == null) throw new RuleBook.UnknownRouteException(route);
        return rc;
    }

    // ---- the driver -----------------------------------------------------------------------------------------------

    private void tick() {
        try {
            for (RouteConfig rc : rules.config().routes()) {
                if (closed) return;
                tick(rc.name());
            }
            if (storeLost) {
                storeLost = false;
                log.info("rollout records reachable again");
            }
        } catch (StoreUnavailableException e) {
            if (!storeLost) {
                storeLost = true;
                log.warn("rollouts: the store is unreachable, this node drives no rollout until it is back: {}", e.getMessage());
            }
            for (String route : driving.keySet()) log.info("route {}: stopped driving its rollout (store unreachable)", route);
            driving.clear();
        } catch (RuntimeException e) {
            log.error("rollouts: tick failed", e);
        }
    }

    private void tick(String route) {
        RolloutRecords.Stored st = records.read(route);
        if (st == null) {
            driving.remove(route);
            return;
        }
        RolloutState s = decode(st);
        if (!s.phase().running() && s.settled()) {
            if (driving.remove(route) != null) records.release(route, holder);
            return;
        }
        long now = System.nanoTime();
        if (!records.lease(route, holder, s.spec().lease())) {
            if (driving.remove(route) != null) log.info("route {}: another node drives its rollout now", route);
            return;
        }
        Driving m = driving.get(route);
        if (m == null) {
            m = new Driving(s, now);
            driving.put(route, m);
            if (records.shared()) {
                log.info("route {}: this node ({}) drives the rollout of {}, {} at step {} of {} ({} ms spent in it)", route, holder,
                        s.spec().version(), s.phase().text(), s.step() + 1, s.spec().steps().size(), s.stepElapsedMillis());
            }
        } else if (m.generation != s.generation()) {
            m.rebase(s, now); // another node or an API call wrote it
        }
        drive(route, s, m);
    }

    private void drive(String route, RolloutState s, Driving m) {
        RouteState r = rules.state(route);
        if (r == null) return;
        if (r.revision() < s.revision()) return; // this node has not heard of the rollout's last write yet (a takeover): next tick
        Policy p = r.policy();
        // 1. A change by anyone else since the rollout last wrote or accepted a revision.
        if (r.revision() != s.revision()) {
            if (inForce(p, s)) {
                s = save(route, s, s.toBuilder().revision(r.revision()).settled(true), m, List.of());
                if (s == null) return;
            } else if (s.phase() == RolloutState.Phase.PROGRESSING || s.waitingForTraffic()) {
                String why = "the split it drives was changed by someone else: " + changesSince(r, s.revision())
                        + "; resume to put the rollout's " + Weights.percent(s.desiredWeight()) + "% back";
                RolloutState.Builder b = s.toBuilder().phase(RolloutState.Phase.PAUSED).waitingForTraffic(false).reason(why).revision(r.revision())
                        .settled(true);
                save(route, s, b, m, List.of(event(s, b, ACTOR, why)));
                log.warn("route {}: rollout of {} paused: {}", route, s.spec().version(), why);
                return;
            } else if (s.phase() == RolloutState.Phase.PAUSED) {
                s = save(route, s, s.toBuilder().revision(r.revision()), m, List.of()); // paused by hand: the change is accepted
                if (s == null) return;
            }
            // aborted or succeeded and not settled: the rollout's split wins, below
        }
        // 2. The split the rollout wants, in force.
        if (!(s.phase() == RolloutState.Phase.PAUSED && !s.waitingForTraffic())) {
            if (!inForce(p, s) || !s.settled()) {
                s = putInForce(route, s, r, m);
                if (s == null) return;
            }
        }
        if (!s.phase().running()) return;
        // 3. The analysis, every interval, while progressing or waiting for traffic.
        if (s.phase() != RolloutState.Phase.PROGRESSING && !s.waitingForTraffic()) return;
        long now = System.nanoTime();
        RolloutSpec spec = s.spec();
        if (now - m.lastAnalysisNanos >= spec.analysis().interval().toNanos()) {
            m.lastAnalysisNanos = now;
            s = analyse(route, s, m);
            if (s == null || !s.phase().running()) return;
        }
        // 4. The next step, when this one has been held long enough and its analysis passes.
        if (s.phase() == RolloutState.Phase.PROGRESSING && s.passesInStep() > 0 && s.failures() == 0
                && m.elapsed(s, System.nanoTime()) >= spec.step(s.step()).pause().toMillis()) {
            RolloutState.Builder b = s.toBuilder().settled(false).reason(null);
            String why;
            if (spec.isLast(s.step())) {
                b.phase(RolloutState.Phase.SUCCEEDED);
                why = "succeeded: every step passed; " + (spec.onSuccess() == RolloutSpec.OnSuccess.SWITCH ? "everyone to " + spec.version()
                        : "holding " + spec.version() + " at " + Weights.percent(spec.step(s.step()).weight()) + "%");
            } else {
                b.step(s.step() + 1).stepElapsedMillis(0).passesInStep(0).failures(0);
                why = "step " + (s.step() + 2) + " of " + spec.steps().size() + ": " + spec.version() + " to "
                        + Weights.percent(spec.step(s.step() + 1).weight()) + "%";
            }
            b.reason(why);
            RolloutState next = save(route, s, b, m, List.of(event(s, b, ACTOR, why)));
            if (next != null) putInForce(route, next, rules.state(route), m);
        }
    }

    /** Runs one interval's analysis and moves the state by its verdict; returns the state saved, or null. */
    private RolloutState analyse(String route, RolloutState s, Driving m) {
        RolloutSpec spec = s.spec();
        RouteStats figures;
        try {
            figures = stats.query(route, spec.analysis().interval(), StatsScope.CLUSTER);
        } catch (RuntimeException e) {
            log.warn("route {}: rollout analysis skipped, statistics unavailable: {}", route, e.getMessage());
            return s;
        }
        AnalysisResult a = Analyzer.judge(spec.analysis(), figures, spec.version(), s.baseline(), s.step(), s.desiredWeight(), now());
        RolloutState.Builder b = s.toBuilder().analysis(a);
        RolloutState.Event e = null;
        switch (a.verdict()) {
            case INCONCLUSIVE -> {
                if (!s.waitingForTraffic()) {
                    b.phase(RolloutState.Phase.PAUSED).waitingForTraffic(true).reason(a.reason());
                    e = event(s, b, ACTOR, "paused, " + a.reason() + "; resumes when traffic returns");
                }
            }
            case PASS -> {
                b.failures(0).passesInStep(s.passesInStep() + 1);
                if (s.waitingForTraffic()) {
                    b.phase(RolloutState.Phase.PROGRESSING).waitingForTraffic(false).reason("traffic returned");
                    e = event(s, b, ACTOR, "resumed, traffic returned: " + a.reason());
                }
            }
            case FAIL -> {
                int failures = s.failures() + 1;
                b.failures(failures).phase(RolloutState.Phase.PROGRESSING).waitingForTraffic(false).reason(a.reason());
                if (failures >= spec.analysis().failureLimit()) {
                    String why = "aborted after " + failures + " failed interval" + (failures == 1 ? "" : "s") + " in a row: " + a.reason();
                    b.phase(RolloutState.Phase.ABORTED).settled(false).reason(why);
                    e = event(s, b, ACTOR, why);
                } else if (s.waitingForTraffic()) {
                    e = event(s, b, ACTOR, "resumed, traffic returned: " + a.reason());
                }
            }
        }
        audit.record(new AuditEntry(now(), ACTOR, node, route, "rollout " + spec.version() + " analysis at step " + (s.step() + 1) + " ("
                + Weights.percent(a.weight()) + "%): " + a.reason() + thresholds(spec.analysis()), s.revision(), s.revision()));
        RolloutState next = save(route, s, b, m, e == null ? List.of() : List.of(e));
        if (next != null && next.phase() == RolloutState.Phase.ABORTED) {
            log.warn("route {}: rollout of {} {}", route, spec.version(), next.reason());
            return putInForce(route, next, rules.state(route), m);
        }
        return next;
    }

    /** Writes the split the rollout wants (fenced by the revision it knows), then records the new revision. */
    private RolloutState putInForce(String route, RolloutState s, RouteState r, Driving m) {
        if (r.revision() != s.revision() && s.phase().running()) return s; // a change came in: the next tick looks at it first
        Policy p = r.policy();
        RolloutSpec spec = s.spec();
        if (!inForce(p, s)) {
            String override = s.desiresSwitch() ? spec.version()
                    : s.phase() == RolloutState.Phase.ABORTED && p.override() != null && !p.override().equals(spec.version()) ? p.override() : null;
            String what = "rollout " + spec.version() + " " + s.phase().text() + " at step " + (s.step() + 1) + " of " + spec.steps().size()
                    + ": split " + spec.rule() + " " + spec.version() + " " + Weights.percent(s.desiredWeight()) + "%"
                    + (s.desiresSwitch() ? ", switch: everyone to " + spec.version() : "");
            RouteState after;
            try {
                after = rules.apply(route, RuleChange.drive(spec.rule(), spec.version(), s.desiredWeight(), override, r.revision(), what), ACTOR);
            } catch (RevisionConflictException e) {
                return null; // someone changed the route first: the next tick sees it
            } catch (PolicyException e) {
                String why = "cannot put the split in force: " + e.getMessage();
                if (s.phase().running()) {
                    RolloutState.Builder b = s.toBuilder().phase(RolloutState.Phase.PAUSED).waitingForTraffic(false).reason(why);
                    save(route, s, b, m, List.of(event(s, b, ACTOR, why)));
                }
                log.error("route {}: rollout of {}: {}", route, spec.version(), why);
                return null;
            }
            m.lastAnalysisNanos = System.nanoTime(); // the next window starts with the new split in force (the rule book logs the change)
            return save(route, s, s.toBuilder().revision(after.revision()).settled(true), m, List.of());
        }
        return save(route, s, s.toBuilder().revision(r.revision()).settled(true), m, List.of());
    }

    /** True when the route's policy has the split and override the rollout wants now. */
    private static boolean inForce(Policy p, RolloutState s) {
        RolloutSpec spec = s.spec();
        PolicyRule rule = p.rule(spec.rule());
        if (!(rule instanceof PolicyRule.Split split) || split.weights().of(spec.version()) != s.desiredWeight()) return false;
        if (s.desiresSwitch()) return spec.version().equals(p.override());
        if (s.phase() == RolloutState.Phase.ABORTED) return !spec.version().equals(p.override());
        return p.override() == null;
    }

    /** The changes made to the route after {@code revision}, by whom. */
    private static String changesSince(RouteState r, long revision) {
        StringBuilder sb = new StringBuilder();
        for (HistoryEntry e : r.history()) {
            if (e.revision() <= revision) continue;
            if (sb.length() > 0) sb.append("; ");
            sb.append(e.change()).append(" by ").append(e.actor()).append(" at revision ").append(e.revision());
        }
        return sb.length() == 0 ? "revision " + r.revision() : sb.toString();
    }

    /**
     * Writes the record as this lease holder; on success tells the audit log and the webhook of {@code events} and
     * returns the new state. Null when it was not written: the record moved on (the next tick reads it again), or
     * the lease is lost (this node stops driving the route).
     */
    private RolloutState save(String route, RolloutState s, RolloutState.Builder b, Driving m, List<RolloutState.Event> events) {
        long now = System.nanoTime();
        long elapsed = b.step() == s.step() ? m.elapsed(s, now) : 0;
        for (RolloutState.Event e : events) b.event(e);
        RolloutState next = b.stepElapsedMillis(elapsed).updatedAt(now()).generation(s.generation() + 1).build();
        RolloutRecords.Outcome outcome = records.write(route, s.generation(), encode(next), holder);
        switch (outcome) {
            case WRITTEN -> {
                m.rebase(next, now);
                told(next, events, s.revision(), next.revision());
                return next;
            }
            case NOT_HOLDER -> {
                driving.remove(route);
                log.info("route {}: lost the rollout lease, stopped driving", route);
                return null;
            }
            default -> {
                return null;
            }
        }
    }

    private void told(RolloutState s, List<RolloutState.Event> events, long revisionBefore, long revisionAfter) {
        for (RolloutState.Event e : events) {
            audit.record(new AuditEntry(e.at(), e.actor(), node, s.route(), "rollout " + s.spec().version() + ": " + e.from() + " -> " + e.to()
                    + " at step " + (e.step() + 1) + " of " + s.spec().steps().size() + " (" + Weights.percent(e.weight()) + "%): " + e.reason(),
                    revisionBefore, revisionAfter));
            if (s.spec().notifyUrl() != null) notifier.send(s.spec().notifyUrl(), webhookBody(s, e));
        }
    }

    private static String webhookBody(RolloutState s, RolloutState.Event e) {
        ObjectNode o = PolicyCodec.JSON.createObjectNode();
        o.put("route", s.route());
        o.put("version", s.spec().version());
        o.put("from", e.from());
        o.put("to", e.to());
        o.put("step", e.step() + 1);
        o.put("steps", s.spec().steps().size());
        o.put("weight", new BigDecimal(Weights.percent(e.weight())));
        o.put("reason", e.reason());
        o.put("actor", e.actor());
        o.put("node", e.node());
        o.put("at", e.at().toString());
        return o.toString();
    }

    private RolloutState.Event event(RolloutState s, RolloutState.Builder b, String actor, String reason) {
        RolloutState next = b.build();
        String from = s.phase().text() + (s.waitingForTraffic() ? " (waiting for traffic)" : "");
        String to = next.phase().text() + (next.waitingForTraffic() ? " (waiting for traffic)" : "");
        return new RolloutState.Event(now(), actor, node, from, to, next.step(), next.desiredWeight(), reason);
    }

    private static String thresholds(RolloutSpec.Analysis a) {
        return "; thresholds: minRequests " + a.minRequests() + ", maxErrorRate " + Weights.percent(a.maxErrorRate()) + "%"
                + (a.maxP99() == null ? "" : ", maxP99 " + a.maxP99().toMillis() + "ms")
                + (a.maxP99Ratio() == null ? "" : ", maxP99Ratio " + a.maxP99Ratio())
                + ", failureLimit " + a.failureLimit();
    }

    private static String weights(RolloutSpec spec) {
        StringBuilder sb = new StringBuilder("[");
        for (RolloutSpec.Step st : spec.steps()) {
            if (sb.length() > 1) sb.append(", ");
            sb.append(Weights.percent(st.weight())).append("% for ").append(RolloutCodec.duration(st.pause()));
        }
        return sb.append(']').toString();
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }

    private static String encode(RolloutState s) {
        try {
            return PolicyCodec.JSON.writeValueAsString(RolloutCodec.writeState(s));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static RolloutState decode(RolloutRecords.Stored st) {
        try {
            RolloutState s = RolloutCodec.readState(PolicyCodec.JSON.readTree(st.json()));
            return s.toBuilder().generation(st.generation()).build();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a rollout record is not JSON: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        thread.shutdown();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (String route : driving.keySet()) records.release(route, holder);
        notifier.close();
        records.close();
    }
}
