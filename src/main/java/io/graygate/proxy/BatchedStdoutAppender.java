package io.graygate.proxy;

import ch.qos.logback.core.OutputStreamAppender;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.Flushable;
import java.io.IOException;

/**
 * A Logback appender for the access log that writes to standard output through its own buffer and writes it out
 * only when {@link #flush()} is called, which {@link AsyncAccessLog} does whenever it has caught up with its queue.
 * Logback's ConsoleAppender goes through {@code System.out}, which makes one write system call per line: under load
 * that cost more than the proxy's own work on a request, on the same cores. Lines still leave within one batch.
 */
public final class BatchedStdoutAppender<E> extends OutputStreamAppender<E> implements Flushable {

    private static final int BUFFER_SIZE = 64 * 1024;

    @Override
    public void start() {
        setImmediateFlush(false);
        setOutputStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), BUFFER_SIZE));
        super.start();
    }

    @Override
    public void flush() {
        if (!isStarted()) return;
        streamWriteLock.lock();
        try {
            getOutputStream().flush();
        } catch (IOException e) {
            addError("cannot write the access log to standard output", e);
        } finally {
            streamWriteLock.unlock();
        }
    }

    /** Writes out what is buffered but leaves standard output open: the console log shares it. */
    @Override
    protected void closeOutputStream() {
        flush();
    }
}
