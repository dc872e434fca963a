package io.graygate.rules;

import io.graygate.routing.IpEntry;
import io.graygate.routing.Mode;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The message published on the change channel after every write: the route, its new version and, when small, the
 * change itself, so that a node one version behind applies it without reading the whole whitelist back. Text, one
 * line: {@code web 8 add 10.0.0.1 10.1.0.0/16}, {@code web 9 mode all-gray}, {@code web 10 rollback},
 * {@code web 11 reload} (read the route from Redis).
 */
record RedisChangeNotice(String route, long version, Optional<RuleChange> delta) {

    /** A change with more entries than this is announced as "reload": the message stays small. */
    static final int MAX_DELTA_ENTRIES = 1000;

    static String reload(String route, long version) {
        return route + " " + version + " reload";
    }

    static String encode(String route, long version, RuleChange change) {
        StringBuilder sb = new StringBuilder(route).append(' ').append(version).append(' ');
        if (change instanceof RuleChange.AddToWhitelist add && add.entries().size() <= MAX_DELTA_ENTRIES) {
            sb.append("add");
            for (IpEntry e : add.entries()) sb.append(' ').append(e);
        } else if (change instanceof RuleChange.RemoveFromWhitelist remove && remove.entries().size() <= MAX_DELTA_ENTRIES) {
            sb.append("remove");
            for (IpEntry e : remove.entries()) sb.append(' ').append(e);
        } else if (change instanceof RuleChange.SetMode set) {
            sb.append("mode ").append(set.mode().text());
        } else if (change instanceof RuleChange.Rollback) {
            sb.append("rollback");
        } else {
            sb.append("reload"); // a kind this format does not carry yet: the receivers read the route back
        }
        return sb.toString();
    }

    /** Decodes a notice; anything malformed is empty (the periodic version check still catches the change). */
    static Optional<RedisChangeNotice> decode(String message) {
        String[] parts = message.split(" ");
        if (parts.length < 3) return Optional.empty();
        long version;
        try {
            version = Long.parseLong(parts[1]);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        try {
            Optional<RuleChange> delta = switch (parts[2]) {
                case "add" -> Optional.of(RuleChange.addToWhitelist(entries(parts)));
                case "remove" -> Optional.of(RuleChange.removeFromWhitelist(entries(parts)));
                case "mode" -> Optional.of(RuleChange.setMode(Mode.parse(parts[3])));
                case "rollback" -> Optional.of(RuleChange.rollback());
                default -> Optional.empty();
            };
            return Optional.of(new RedisChangeNotice(parts[0], version, delta));
        } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
            return Optional.of(new RedisChangeNotice(parts[0], version, Optional.empty()));
        }
    }

    private static List<IpEntry> entries(String[] parts) {
        List<IpEntry> out = new ArrayList<>(parts.length - 3);
        for (int i = 3; i < parts.length; i++) out.add(IpEntry.parse(parts[i]));
        return out;
    }
}
