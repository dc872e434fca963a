package io.graygate.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Captures every Logback event of the named loggers (and their children) at the given level or above, whatever the
 * test configuration says; restores the levels on close. The formatted message and any exception text are kept.
 */
public final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {

    private final List<ILoggingEvent> events = new ArrayList<>();
    private final Map<Logger, Level> previous = new HashMap<>();
    private final Logger root;

    public static LogCapture of(Level level, String... loggers) {
        return new LogCapture(level, loggers);
    }

    private LogCapture(Level level, String... loggers) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        setContext(context);
        root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        for (String name : loggers) {
            Logger l = context.getLogger(name);
            previous.put(l, l.getLevel());
            l.setLevel(level);
        }
        start();
        root.addAppender(this);
    }

    @Override
    protected synchronized void append(ILoggingEvent event) {
        event.prepareForDeferredProcessing();
        events.add(event);
    }

    public synchronized List<ILoggingEvent> events() {
        return List.copyOf(events);
    }

    /** Every captured line, message and exception text, one string per event. */
    public synchronized List<String> lines() {
        List<String> out = new ArrayList<>();
        for (ILoggingEvent e : events) {
            StringBuilder sb = new StringBuilder(e.getLevel() + " " + e.getLoggerName() + " " + e.getFormattedMessage());
            for (var t = e.getThrowableProxy(); t != null; t = t.getCause()) sb.append(" | ").append(t.getClassName()).append(": ").append(t.getMessage());
            out.add(sb.toString());
        }
        return out;
    }

    /** The captured messages at {@code level} that contain {@code text}. */
    public synchronized List<String> messages(Level level, String text) {
        List<String> out = new ArrayList<>();
        for (ILoggingEvent e : events) {
            if (e.getLevel() == level && e.getFormattedMessage().contains(text)) out.add(e.getFormattedMessage());
        }
        return out;
    }

    @Override
    public void close() {
        root.detachAppender(this);
        stop();
        previous.forEach(Logger::setLevel);
    }
}
