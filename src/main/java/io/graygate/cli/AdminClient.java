package io.graygate.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/** Talks to a running gateway's admin API; every failure becomes a {@link CliException} with one readable line. */
final class AdminClient {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    /** Who the CLI's changes are recorded as made by, beside the token's name: user@host. */
    static final String ACTOR = System.getProperty("user.name", "unknown") + "@" + hostName();

    private final String base;
    private final String token;
    private final String actor;
    private final HttpClient http;

    /** @param token the bearer token, or null/empty for none */
    AdminClient(String adminUrl, String token) {
        this(adminUrl, token, null);
    }

    /** @param actor what X-Graygate-Actor says; null or blank: {@link #ACTOR} */
    AdminClient(String adminUrl, String token, String actor) {
        this.base = checkedBase(adminUrl);
        this.token = token == null || token.isBlank() ? null : token.strip();
        // A header value cannot carry control characters; the admin API cleans the rest (length, non-ASCII).
        this.actor = actor == null || actor.isBlank() ? ACTOR : actor.strip().replaceAll("\\p{Cntrl}", "?");
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT).build();
    }

    JsonNode get(String path) {
        return send("GET", path, null);
    }

    JsonNode send(String method, String path, JsonNode body) {
        return send(method, path, body, Map.of());
    }

    /** Sends one call with extra headers (If-Match); every call says who makes it in X-Graygate-Actor (user@host, or --actor). */
    JsonNode send(String method, String path, JsonNode body, Map<String, String> headers) {
        String url = base + path;
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .timeout(REQUEST_TIMEOUT)
                .header("Accept", "application/json")
                .header("X-Graygate-Actor", actor);
        headers.forEach(request::header);
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofByteArray(bytes(body)));
        }
        if (token != null) request.header("Authorization", "Bearer " + token);
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (ConnectException e) {
            throw new CliException(CliException.REFUSED, "cannot reach admin API at " + base + ": connection refused");
        } catch (HttpTimeoutException e) {
            throw new CliException(CliException.REFUSED, "admin API at " + base + " did not answer in time");
        } catch (IOException e) {
            throw new CliException(CliException.REFUSED, "cannot reach admin API at " + base + ": " + describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(CliException.REFUSED, "interrupted");
        }
        return answer(response);
    }

    private JsonNode answer(HttpResponse<String> response) {
        int status = response.statusCode();
        if (status == 401) {
            throw new CliException(CliException.REFUSED, token == null
                    ? "401 unauthorized: set --token or GRAYGATE_ADMIN_TOKEN"
                    : "401 unauthorized: the admin API refused the token; check --token or GRAYGATE_ADMIN_TOKEN");
        }
        JsonNode json;
        try {
            json = JSON.readTree(response.body());
        } catch (JsonProcessingException e) {
            json = null;
        }
        if (status / 100 == 2 && json != null && json.isObject()) return json;
        if (json != null && json.path("error").isTextual()) throw new CliException(CliException.REFUSED, json.path("error").asText());
        throw new CliException(CliException.REFUSED, "admin API at " + base + " answered HTTP " + status + " with no JSON; is it a graygate admin address?");
    }

    private static String hostName() {
        String h = System.getenv("HOSTNAME");
        if (h != null && !h.isBlank()) return h;
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    private static String describe(IOException e) {
        Throwable cause = e;
        while (cause.getMessage() == null && cause.getCause() != null) cause = cause.getCause();
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }

    private static byte[] bytes(JsonNode body) {
        try {
            return JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serializes", e);
        }
    }

    private static String checkedBase(String url) {
        String trimmed = url.strip().replaceAll("/+$", "");
        try {
            URI uri = new URI(trimmed);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) return trimmed;
        } catch (URISyntaxException e) {
            // reported below
        }
        throw new CliException(CliException.USAGE, "--admin: expected a URL such as http://127.0.0.1:9090, got \"" + url + "\"");
    }

    /** Percent-encodes one path segment or query value: everything but RFC 3986 unreserved characters. */
    static String encode(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xFF);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~') {
                out.append(c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xF, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xF, 16)));
            }
        }
        return out.toString();
    }
}
