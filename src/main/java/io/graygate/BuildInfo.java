package io.graygate;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** Which graygate this is: the version from the jar's Maven metadata. */
public final class BuildInfo {

    private static final String VERSION = readVersion();

    private BuildInfo() {
    }

    /** The version, or "(development build)" when run from classes. */
    public static String version() {
        return VERSION;
    }

    private static String readVersion() {
        try (InputStream in = BuildInfo.class.getResourceAsStream("/META-INF/maven/io.graygate/graygate/pom.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String v = p.getProperty("version");
                if (v != null) return v;
            }
        } catch (IOException e) {
            // fall through
        }
        return "(development build)";
    }
}
