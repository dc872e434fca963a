package io.graygate.admin;

import io.netty.handler.codec.http.HttpMethod;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The dashboard's static files, read from the jar: {@code /} is the page, {@code /ui/...} its scripts and styles
 * (under {@code dashboard/} on the class path) and {@code /ui/vendor/uplot/...} the uPlot WebJar's {@code dist}
 * files. Only names made of plain segments with a known extension are looked up, so nothing outside those two
 * folders, and no class or configuration file, can be asked for.
 */
final class DashboardAssets {

    /** One file to answer with. */
    record Asset(byte[] body, String contentType, String etag) {
    }

    static final String PAGE = "/";
    static final String PREFIX = "/ui/";
    private static final String VENDOR_UPLOT = "vendor/uplot/";
    private static final String OWN_ROOT = "dashboard/";
    private static final String UPLOT_POM = "META-INF/maven/org.webjars.npm/uplot/pom.properties";

    /** Segments of letters, digits, '-', '_' and inner dots: no "..", no empty segment, no escape, no hidden file. */
    private static final Pattern SAFE_PATH = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*(/[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*)*");

    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png");

    private final ClassLoader loader;
    private final String uplotRoot;
    private final Map<String, Asset> loaded = new ConcurrentHashMap<>();

    private DashboardAssets(ClassLoader loader, String uplotRoot) {
        this.loader = loader;
        this.uplotRoot = uplotRoot;
    }

    /** Finds the uPlot WebJar's version on the class path; fails when the jar was built without it. */
    static DashboardAssets fromClassPath() {
        ClassLoader loader = DashboardAssets.class.getClassLoader();
        Properties pom = new Properties();
        try (InputStream in = loader.getResourceAsStream(UPLOT_POM)) {
            if (in == null) throw new IllegalStateException("the dashboard's chart library is missing: no " + UPLOT_POM + " on the class path");
            pom.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + UPLOT_POM, e);
        }
        return new DashboardAssets(loader, "META-INF/resources/webjars/uplot/" + pom.getProperty("version") + "/dist/");
    }

    /** Whether a request's path is the dashboard's, not the API's. */
    static boolean serves(String path) {
        return path.equals(PAGE) || path.startsWith(PREFIX);
    }

    /** The file for a GET or HEAD of {@code rawPath} (as sent, not decoded), or an {@link ApiException} (404, 405). */
    Asset get(HttpMethod method, String rawPath) {
        if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
            throw ApiException.methodNotAllowed(method.name(), rawPath, "GET, HEAD");
        }
        String resource = resourceFor(rawPath);
        if (resource == null) throw ApiException.notFound("no such file: " + rawPath);
        Asset asset = loaded.get(resource);
        if (asset == null) {
            asset = load(resource);
            if (asset == null) throw ApiException.notFound("no such file: " + rawPath);
            loaded.putIfAbsent(resource, asset);
        }
        return asset;
    }

    /** The class-path resource a path names, or null when it names none that may be served. */
    private String resourceFor(String rawPath) {
        if (rawPath.equals(PAGE)) return OWN_ROOT + "index.html";
        String name = rawPath.substring(PREFIX.length());
        if (!SAFE_PATH.matcher(name).matches() || contentType(name) == null) return null;
        return name.startsWith(VENDOR_UPLOT) ? uplotRoot + name.substring(VENDOR_UPLOT.length()) : OWN_ROOT + name;
    }

    private Asset load(String resource) {
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) return null;
            byte[] body = in.readAllBytes();
            return new Asset(body, contentType(resource), "\"" + HexFormat.of().formatHex(sha256(body), 0, 12) + "\"");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }

    private static String contentType(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? null : TYPES.get(name.substring(dot + 1));
    }

    private static byte[] sha256(byte[] body) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(body);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
