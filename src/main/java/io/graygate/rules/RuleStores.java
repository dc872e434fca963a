package io.graygate.rules;

import java.nio.file.Path;

/** Opens the store a {@code store:} URI names. */
public final class RuleStores {

    private RuleStores() {
    }

    public static RuleStore forUri(String uri) {
        if (uri.startsWith("file:")) return new FileRuleStore(Path.of(uri.substring("file:".length())));
        throw new IllegalArgumentException("store: unsupported store \"" + uri + "\"");
    }
}
