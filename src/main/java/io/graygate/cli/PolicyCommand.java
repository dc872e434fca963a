package io.graygate.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/** {@code graygate policy show|apply}: a route's whole traffic policy, as YAML to read, edit and apply back. */
@Command(name = "policy", description = "Show or apply a route's traffic policy (baseline, override, rules).",
        subcommands = {PolicyCommand.Show.class, PolicyCommand.Apply.class})
final class PolicyCommand {

    /** YAML in and out (JSON is YAML too); a key given twice is an error, not a silent last-wins. */
    static final ObjectMapper YAML = new ObjectMapper(YAMLFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .build());

    private PolicyCommand() {
    }

    @Command(name = "show", description = "Print the policy in force as YAML, with its revision; 'policy apply' takes the same file back.")
    static final class Show extends ClientCommand {
        @Parameters(index = "0", paramLabel = "ROUTE")
        String route;

        @Option(names = "--json", description = "Print JSON instead of YAML.")
        boolean json;

        @Override
        int run(AdminClient admin) {
            JsonNode p = admin.get(routePath(route) + "/policy");
            ObjectNode doc = AdminClient.JSON.createObjectNode();
            doc.put("route", p.path("route").asText());
            doc.put("revision", p.path("revision").asLong());
            doc.set("policy", p.path("policy"));
            try {
                out().print(json ? AdminClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(doc) + "\n" : YAML.writeValueAsString(doc));
                out().flush(); // print, unlike println, does not flush the console writer before the JVM exits
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a JSON tree always serializes", e);
            }
            return 0;
        }
    }

    @Command(name = "apply", description = "Put a policy file (YAML or JSON) in force on a route, checked whole first: any bad field "
            + "is refused with its path and nothing changes. A file from 'policy show' carries its revision, and is refused if the "
            + "route changed since (412).")
    static final class Apply extends ClientCommand {
        @Parameters(index = "0", paramLabel = "ROUTE")
        String route;

        @Parameters(index = "1", paramLabel = "FILE")
        Path file;

        @Option(names = "--force", description = "Apply even if the route changed since the file's revision.")
        boolean force;

        @Override
        int run(AdminClient admin) {
            JsonNode doc = read(file);
            JsonNode policy = doc.has("policy") ? doc.get("policy") : doc;
            Map<String, String> headers = !force && doc.has("policy") && doc.path("revision").canConvertToLong()
                    ? Map.of("If-Match", "\"" + doc.get("revision").asLong() + "\"") : Map.of();
            JsonNode p = admin.send("PUT", routePath(route) + "/policy", policy, headers);
            out().println(route + ": policy applied, revision " + p.path("revision").asLong());
            return 0;
        }
    }

    static JsonNode read(Path file) {
        try {
            JsonNode n = YAML.readTree(Files.readString(file));
            if (n == null || !n.isObject()) throw new CliException(CliException.USAGE, file + ": expected a policy (a YAML or JSON object)");
            return n;
        } catch (NoSuchFileException e) {
            throw new CliException(CliException.USAGE, file + ": no such file");
        } catch (JsonProcessingException e) {
            throw new CliException(CliException.USAGE, file + ": not valid YAML or JSON: " + e.getOriginalMessage().split("\n")[0]);
        } catch (IOException e) {
            throw new CliException(CliException.USAGE, file + ": cannot read: " + e.getMessage());
        }
    }

    /** "gray 10%, canary 2.5%": the weights of one split rule in a policy document. */
    static String weightsOf(JsonNode policy, String rule) {
        for (JsonNode r : policy.path("rules")) {
            if (!r.path("name").asText().equals(rule)) continue;
            StringBuilder sb = new StringBuilder();
            r.path("split").path("weights").fields().forEachRemaining(e ->
                    sb.append(sb.length() == 0 ? "" : ", ").append(e.getKey()).append(' ').append(e.getValue().asText()).append('%'));
            return sb.length() == 0 ? "no weights" : sb.toString();
        }
        return "(rule gone)";
    }
}
