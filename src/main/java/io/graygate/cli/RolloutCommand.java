package io.graygate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/** {@code graygate rollout start|status|pause|resume|promote|abort}: a route's progressive rollout. */
@Command(name = "rollout", description = "Roll a new version out step by step, judged by its error rate and latency every interval, "
        + "aborted on its own when it fails.",
        subcommands = {RolloutCommand.Start.class, RolloutCommand.Status.class, RolloutCommand.Pause.class, RolloutCommand.Resume.class,
                RolloutCommand.Promote.class, RolloutCommand.Abort.class})
final class RolloutCommand {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

    private RolloutCommand() {
    }

    @Command(name = "start", description = "Start a rollout from a file (YAML or JSON, as in the README) or from the options; "
            + "checked whole by the gateway, refused while another rollout runs on the route.")
    static final class Start extends ClientCommand {
        @Parameters(index = "0", paramLabel = "ROUTE")
        String route;

        @Parameters(index = "1", arity = "0..1", paramLabel = "FILE")
        Path file;

        @Option(names = "--version", paramLabel = "VERSION", description = "The version to roll out, e.g. gray.")
        String version;

        @Option(names = "--steps", paramLabel = "PERCENT,...", split = ",", description = "The weights, e.g. 1,5,25,50,100.")
        List<String> steps;

        @Option(names = "--pause", paramLabel = "DURATION", description = "How long each step is held, e.g. 5m (default 1m).")
        String pause;

        @Option(names = "--rule", paramLabel = "RULE", description = "The split rule it drives (default ramp; created when missing).")
        String rule;

        @Option(names = "--interval", paramLabel = "DURATION", description = "The analysis interval, whole seconds (default 30s).")
        String interval;

        @Option(names = "--min-requests", paramLabel = "N", description = "Fewer requests to the new version in an interval: inconclusive (default 100).")
        Long minRequests;

        @Option(names = "--max-error-rate", paramLabel = "PERCENT", description = "e.g. 1%% (default 1%%).")
        String maxErrorRate;

        @Option(names = "--max-p99", paramLabel = "DURATION", description = "e.g. 500ms.")
        String maxP99;

        @Option(names = "--max-p99-ratio", paramLabel = "RATIO", description = "The new version's p99 over the baseline's, e.g. 1.5.")
        Double maxP99Ratio;

        @Option(names = "--failure-limit", paramLabel = "N", description = "Failed intervals in a row that abort (default 2).")
        Integer failureLimit;

        @Option(names = "--on-success", paramLabel = "switch|hold", description = "After the last step (default switch: everyone to the new version).")
        String onSuccess;

        @Option(names = "--on-abort", paramLabel = "rollback|stepBack", description = "On abort (default rollback: weight 0).")
        String onAbort;

        @Option(names = "--notify", paramLabel = "URL", description = "A webhook POSTed JSON on every state change.")
        String notifyUrl;

        @Override
        int run(AdminClient admin) {
            JsonNode body = file != null ? fromFile() : fromOptions();
            JsonNode s = admin.send("POST", routePath(route) + "/rollout", body);
            out().println(route + ": rollout of " + s.path("spec").path("version").asText() + " started, step 1 of " + s.path("steps").asInt()
                    + " (" + s.path("weight").asText() + "%); follow it with: graygate rollout status " + route + " --watch");
            return 0;
        }

        private JsonNode fromFile() {
            if (version != null || steps != null || pause != null || rule != null || interval != null || minRequests != null || maxErrorRate != null
                    || maxP99 != null || maxP99Ratio != null || failureLimit != null || onSuccess != null || onAbort != null || notifyUrl != null) {
                throw new CliException(CliException.USAGE, "rollout start: give a FILE or options, not both");
            }
            return PolicyCommand.read(file);
        }

        private JsonNode fromOptions() {
            if (version == null || steps == null) {
                throw new CliException(CliException.USAGE, "rollout start: give a FILE, or --version and --steps (e.g. --version gray --steps 1,5,25,50,100)");
            }
            ObjectNode b = AdminClient.JSON.createObjectNode();
            b.put("version", version);
            if (rule != null) b.put("rule", rule);
            ArrayNode st = b.putArray("steps");
            for (String w : steps) st.addObject().put("weight", w.strip()).put("pause", pause == null ? "1m" : pause);
            ObjectNode a = AdminClient.JSON.createObjectNode();
            if (interval != null) a.put("interval", interval);
            if (minRequests != null) a.put("minRequests", minRequests);
            if (maxErrorRate != null) a.put("maxErrorRate", maxErrorRate);
            if (maxP99 != null) a.put("maxP99", maxP99);
            if (maxP99Ratio != null) a.put("maxP99Ratio", maxP99Ratio);
            if (failureLimit != null) a.put("failureLimit", failureLimit);
            if (!a.isEmpty()) b.set("analysis", a);
            if (onSuccess != null) b.put("onSuccess", onSuccess);
            if (onAbort != null) b.put("onAbort", onAbort);
            if (notifyUrl != null) b.put("notify", notifyUrl);
            return b;
        }
    }

    @Command(name = "status", description = "The rollout's state, step, last analysis and transitions; --watch refreshes it every second "
            + "until it ends (Ctrl-C stops watching, not the rollout).")
    static final class Status extends ClientCommand {
        @Parameters(index = "0", paramLabel = "ROUTE")
        String route;

        @Option(names = "--watch", description = "Refresh every second until the rollout has succeeded or aborted.")
        boolean watch;

        @Override
        int run(AdminClient admin) {
            JsonNode first = admin.get(routePath(route) + "/rollout");
            if (first.isNull()) throw new CliException(CliException.REFUSED, "route " + route + " has no rollout; start one with graygate rollout start");
            if (!watch) {
                print(out(), first);
                return 0;
            }
            String last = null;
            while (true) {
                JsonNode s = admin.get(routePath(route) + "/rollout");
                java.io.StringWriter text = new java.io.StringWriter();
                print(new PrintWriter(text), s);
                String now = text.toString();
                if (!now.equals(last)) {
                    out().print(System.console() != null ? "\033[H\033[2J" + now : now + "\n");
                    out().flush();
                    last = now;
                }
                String state = s.path("state").asText();
                if (state.equals("succeeded") || state.equals("aborted")) return 0;
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return 0;
                }
            }
        }
    }

    /** The status as a person reads it: a headline, the steps, the last analyses and the transitions. */
    static void print(PrintWriter out, JsonNode s) {
        JsonNode spec = s.path("spec");
        String version = spec.path("version").asText();
        int step = s.path("step").asInt();
        int steps = s.path("steps").asInt();
        out.println(s.path("route").asText() + ": rollout of " + version + " " + s.path("state").asText() + ", step " + (step + 1) + " of " + steps
                + ", " + version + " at " + s.path("weight").asText() + "% (split " + spec.path("rule").asText() + "), "
                + s.path("failures").asInt() + " failed interval(s) in a row, aborts at " + spec.path("analysis").path("failureLimit").asInt()
                + (s.path("driver").isTextual() ? ", driven by " + s.path("driver").asText() : ""));
        if (s.path("reason").isTextual()) out.println("  " + s.path("reason").asText());
        JsonNode a = spec.path("analysis");
        out.println("  analysis every " + a.path("interval").asText() + ": minRequests " + a.path("minRequests").asText() + ", maxErrorRate "
                + a.path("maxErrorRate").asText() + (a.has("maxP99") ? ", maxP99 " + a.path("maxP99").asText() : "")
                + (a.has("maxP99Ratio") ? ", maxP99Ratio " + a.path("maxP99Ratio").asText() : "") + "; onSuccess "
                + spec.path("onSuccess").asText() + ", onAbort " + spec.path("onAbort").asText());
        out.println();
        out.println("  STEP  WEIGHT  PAUSE");
        JsonNode list = spec.path("steps");
        String state = s.path("state").asText();
        for (int i = 0; i < list.size(); i++) {
            String mark = i < step || (i == step && state.equals("succeeded")) ? "done" : i == step ? "<- " + state : "";
            out.printf("  %-4d  %-6s  %-5s  %s%n", i + 1, list.get(i).path("weight").asText() + "%", list.get(i).path("pause").asText(), mark);
        }
        JsonNode analyses = s.path("analyses");
        if (!analyses.isEmpty()) {
            out.println();
            out.println("  LAST ANALYSES");
            for (int i = Math.max(0, analyses.size() - 5); i < analyses.size(); i++) {
                JsonNode x = analyses.get(i);
                out.println("  " + CLOCK.format(Instant.parse(x.path("at").asText())) + "  step " + (x.path("step").asInt() + 1) + "  "
                        + x.path("reason").asText());
            }
        }
        JsonNode events = s.path("events");
        out.println();
        out.println("  TRANSITIONS");
        List<JsonNode> shown = new ArrayList<>();
        events.forEach(shown::add);
        for (JsonNode e : shown.subList(Math.max(0, shown.size() - 8), shown.size())) {
            out.println("  " + CLOCK.format(Instant.parse(e.path("at").asText())) + "  " + e.path("from").asText() + " -> " + e.path("to").asText()
                    + "  by " + e.path("actor").asText() + ": " + e.path("reason").asText());
        }
        out.flush();
    }

    /** pause, resume, promote and abort differ only in the path they post to. */
    abstract static class Transition extends ClientCommand {
        private final String action;

        @Parameters(index = "0", paramLabel = "ROUTE")
        String route;

        Transition(String action) {
            this.action = action;
        }

        @Override
        int run(AdminClient admin) {
            JsonNode s = admin.send("POST", routePath(route) + "/rollout/" + action, null);
            out().println(route + ": rollout of " + s.path("spec").path("version").asText() + " " + s.path("state").asText() + ", step "
                    + (s.path("step").asInt() + 1) + " of " + s.path("steps").asInt() + ", " + s.path("spec").path("version").asText() + " at "
                    + s.path("weight").asText() + "%" + (s.path("reason").isTextual() ? " (" + s.path("reason").asText() + ")" : ""));
            return 0;
        }
    }

    @Command(name = "pause", description = "Hold the rollout at its step (no analysis, no step) until resumed.")
    static final class Pause extends Transition {
        Pause() {
            super("pause");
        }
    }

    @Command(name = "resume", description = "Go on from the step it was paused at; its weight is put back if it was changed meanwhile.")
    static final class Resume extends Transition {
        Resume() {
            super("resume");
        }
    }

    @Command(name = "promote", description = "Skip the remaining steps: everyone to the new version now (or hold, as the rollout says).")
    static final class Promote extends Transition {
        Promote() {
            super("promote");
        }
    }

    @Command(name = "abort", description = "Stop the rollout: the new version's weight to 0 (or the previous step's, with onAbort stepBack).")
    static final class Abort extends Transition {
        Abort() {
            super("abort");
        }
    }
}
