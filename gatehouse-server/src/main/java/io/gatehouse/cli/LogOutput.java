package io.gatehouse.cli;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import io.gatehouse.config.GatehouseConfig;
import net.logstash.logback.encoder.LogstashEncoder;
import org.slf4j.LoggerFactory;

/**
 * How the server's log lines are written. logback.xml writes text lines to standard error through
 * the asynchronous appender {@value #TEXT_APPENDER}; with {@code log.format: json}, {@link #use}
 * replaces it with a twin whose lines are JSON objects ({@code @timestamp}, {@code level},
 * {@code logger_name}, {@code thread_name}, {@code message}, {@code stack_trace}). Either way
 * logging never blocks a caller: a full queue drops events. Standard output is untouched: it
 * carries what commands print for scripts.
 */
final class LogOutput {
    /** The appender logback.xml attaches to the root logger. */
    static final String TEXT_APPENDER = "ASYNC";

    static final String JSON_APPENDER = "ASYNC_JSON";
    /** Used only when logback.xml's appender is missing (another configuration file). */
    private static final int DEFAULT_QUEUE_SIZE = 8192;

    private LogOutput() {}

    /** Switches the root logger to {@code format}; text is what logback.xml already does. */
    static void use(GatehouseConfig.LogFormat format) {
        if (format != GatehouseConfig.LogFormat.JSON
                || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return; // another SLF4J backend is the operator's to configure
        }
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (root.getAppender(JSON_APPENDER) != null) {
            return;
        }
        Appender<ILoggingEvent> text = root.getAppender(TEXT_APPENDER);

        LogstashEncoder encoder = new LogstashEncoder();
        encoder.setContext(context);
        encoder.setTimeZone("UTC");
        encoder.start();
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("STDERR_JSON");
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();

        AsyncAppender json = new AsyncAppender();
        json.setContext(context);
        json.setName(JSON_APPENDER);
        json.setNeverBlock(true);
        if (text instanceof AsyncAppender configured) {
            json.setQueueSize(configured.getQueueSize());
            json.setDiscardingThreshold(configured.getDiscardingThreshold());
        } else {
            json.setQueueSize(DEFAULT_QUEUE_SIZE);
        }
        json.addAppender(stderr);
        json.start();

        // Attach before detaching: an event logged meanwhile may be written twice, never lost.
        root.addAppender(json);
        if (text != null) {
            root.detachAppender(text);
            text.stop(); // writes what it had queued, as text
        }
    }
}
