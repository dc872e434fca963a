package io.graygate.rules;

import io.graygate.routing.IpEntry;
import io.graygate.routing.Mode;

import java.util.List;

/** One change to a route's runtime rules, as a value: the admin API makes them, every store applies them the same way. */
public sealed interface RuleChange {

    /** The rules after this change; always one version later. */
    RouteRules applyTo(RouteRules current);

    /** A short description for the log line that records the change. */
    String describe();

    static RuleChange addToWhitelist(List<IpEntry> entries) {
        return new AddToWhitelist(List.copyOf(entries));
    }

    static RuleChange removeFromWhitelist(List<IpEntry> entries) {
        return new RemoveFromWhitelist(List.copyOf(entries));
    }

    static RuleChange setMode(Mode mode) {
        return new SetMode(mode);
    }

    static RuleChange switchToGray() {
        return new SetMode(Mode.ALL_GRAY);
    }

    static RuleChange rollback() {
        return new Rollback();
    }

    record AddToWhitelist(List<IpEntry> entries) implements RuleChange {
        @Override
        public RouteRules applyTo(RouteRules c) {
            return c.next(c.mode(), c.previousMode(), c.whitelist().with(entries));
        }

        @Override
        public String describe() {
            return "whitelist add " + summary(entries);
        }
    }

    record RemoveFromWhitelist(List<IpEntry> entries) implements RuleChange {
        @Override
        public RouteRules applyTo(RouteRules c) {
            return c.next(c.mode(), c.previousMode(), c.whitelist().without(entries));
        }

        @Override
        public String describe() {
            return "whitelist remove " + summary(entries);
        }
    }

    /** Sets the mode, remembering the old one for {@link Rollback}; setting the mode a route already has changes nothing but the version. */
    record SetMode(Mode mode) implements RuleChange {
        @Override
        public RouteRules applyTo(RouteRules c) {
            Mode previous = c.mode() == mode ? c.previousMode() : c.mode();
            return c.next(mode, previous, c.whitelist());
        }

        @Override
        public String describe() {
            return "mode " + mode;
        }
    }

    /** Returns to the mode before the last mode change; with none recorded, to all-production (nobody on the new version). */
    record Rollback() implements RuleChange {
        @Override
        public RouteRules applyTo(RouteRules c) {
            Mode target = c.previousMode() != null ? c.previousMode() : Mode.ALL_PRODUCTION;
            return c.next(target, null, c.whitelist());
        }

        @Override
        public String describe() {
            return "rollback";
        }
    }

    private static String summary(List<IpEntry> entries) {
        if (entries.size() <= 5) return entries.toString();
        return entries.subList(0, 5) + " and " + (entries.size() - 5) + " more";
    }
}
