package io.graygate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code graygate top [ROUTE]}: each version's live figures (weight, requests per second, error ratio, p50 and p99)
 * as a table redrawn every second, for the whole cluster when the nodes share a store; stops on Ctrl-C with the last
 * table left on the screen and the cursor back.
 */
@Command(name = "top", description = {
        "Watch each version's live figures, redrawn every second: weight, req/s, error %%, p50 and p99 latency,",
        "over the last --window, summed over every live node when they share a Redis store. Ctrl-C stops."})
final class TopCommand extends ClientCommand {

    private static final String HIDE_CURSOR = "\033[?25l";
    private static final String SHOW_CURSOR = "\033[?25h";
    private static final String HOME_AND_CLEAR = "\033[H\033[2J";
    private static final List<String> HEADER = List.of("ROUTE", "VERSION", "WEIGHT", "REQ/S", "ERROR %", "P50 MS", "P99 MS", "REQUESTS");

    @Parameters(index = "0", arity = "0..1", paramLabel = "ROUTE", description = "The route to watch (default: every route).")
    String route;

    @Option(names = "--window", paramLabel = "WINDOW", defaultValue = "10s",
            description = "The sliding window the figures are over: 10s, 1m, 5m, or any N s / N m up to 5m (default: ${DEFAULT-VALUE}).")
    String window;

    @Option(names = "--scope", paramLabel = "SCOPE", defaultValue = "cluster",
            description = "cluster (every live node on the shared store) or node (the one --admin names) (default: ${DEFAULT-VALUE}).")
    String scope;

    @Option(names = "--once", description = "Print the table once and exit, without redrawing (for scripts).")
    boolean once;

    private final Object screen = new Object();
    private boolean stopped;

    @Override
    int run(AdminClient admin) {
        List<String> routes = routes(admin);
        String first = frame(admin, routes); // a wrong address, token, route or window fails here, before the screen is taken
        PrintWriter out = out();
        if (once) {
            out.print(first);
            out.flush();
            return 0;
        }
        Thread main = Thread.currentThread();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            synchronized (screen) {
                stopped = true;
                out.print(SHOW_CURSOR);
                out.println("\ngraygate top: stopped");
                out.flush();
            }
            main.interrupt();
        }, "graygate-top-stop"));
        String text = first;
        synchronized (screen) {
            out.print(HIDE_CURSOR);
        }
        while (true) {
            synchronized (screen) {
                if (stopped) return 0;
                out.print(HOME_AND_CLEAR);
                out.print(text);
                out.flush();
            }
            try {
                Thread.sleep(1000 - System.currentTimeMillis() % 1000);
            } catch (InterruptedException e) {
                return 0;
            }
            try {
                text = frame(admin, routes);
            } catch (CliException e) {
                text = header() + "\n" + e.getMessage() + " (retrying every second)\n";
            }
        }
    }

    private List<String> routes(AdminClient admin) {
        if (route != null) return List.of(route);
        List<String> out = new ArrayList<>();
        admin.get("/api/routes").path("routes").forEach(r -> out.add(r.path("name").asText()));
        return out;
    }

    private String header() {
        return "graygate top  " + adminUrl + "  window " + window + "  " + LocalTime.now().truncatedTo(ChronoUnit.SECONDS);
    }

    /** One screen: the header line, then one row per version of each route. */
    private String frame(AdminClient admin, List<String> routes) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(HEADER);
        int nodes = 0;
        String scopeShown = scope;
        for (String r : routes) {
            JsonNode s = admin.get("/api/stats?route=" + AdminClient.encode(r) + "&window=" + AdminClient.encode(window)
                    + "&scope=" + AdminClient.encode(scope));
            nodes = Math.max(nodes, s.path("nodes").asInt());
            scopeShown = s.path("scope").asText();
            boolean firstRow = true;
            for (JsonNode v : s.path("versions")) {
                rows.add(List.of(
                        firstRow ? r : "",
                        v.path("version").asText(),
                        v.path("weightPercent").isNumber() ? v.path("weightPercent").asText() + "%" : "-",
                        fixed(v.path("requestsPerSecond"), 1),
                        v.path("requests").asLong() == 0 ? "-" : fixed(v.path("errorRatio").asDouble() * 100, 2) + "%",
                        v.path("p50Millis").isNumber() ? fixed(v.path("p50Millis"), 1) : "-",
                        v.path("p99Millis").isNumber() ? fixed(v.path("p99Millis"), 1) : "-",
                        v.path("requests").asText()));
                firstRow = false;
            }
        }
        StringBuilder out = new StringBuilder(header()).append("  ").append(scopeShown)
                .append(scopeShown.equals("cluster") ? " (" + nodes + (nodes == 1 ? " node)" : " nodes)") : "").append("\n\n");
        table(rows, out);
        return out.toString();
    }

    private static String fixed(JsonNode n, int digits) {
        return fixed(n.asDouble(), digits);
    }

    private static String fixed(double d, int digits) {
        return String.format(Locale.ROOT, "%." + digits + "f", d);
    }

    /** Left-aligned text columns, right-aligned figures. */
    private static void table(List<List<String>> rows, StringBuilder out) {
        int[] width = new int[HEADER.size()];
        for (List<String> row : rows) for (int i = 0; i < row.size(); i++) width[i] = Math.max(width[i], row.get(i).length());
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                String cell = row.get(i);
                String pad = " ".repeat(width[i] - cell.length());
                line.append(i < 2 ? cell + pad : pad + cell).append("  ");
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
    }
}
