package io.gatehouse.cli;

import io.gatehouse.Gatehouse;
import io.gatehouse.config.GatehouseConfig;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How {@code serve} and {@code demo} run a node: start it, print {@code listening on URL}, start
 * what the command adds, wait for SIGTERM or SIGINT (or any other end of the JVM), then close what
 * was added and after it the node.
 */
final class NodeRun {
    private static final Logger LOG = LoggerFactory.getLogger(NodeRun.class);

    /** What a command runs beside the node; {@code serve} adds nothing. */
    interface Addition {
        Addition NONE = (node, adminCreated, out) -> () -> {};

        /**
         * Starts it on {@code node}, which listens already and has printed its {@code listening}
         * line. {@code adminCreated}: this start created the bootstrap admin and printed its
         * password. Returns what stops it; that is closed before the node is.
         */
        AutoCloseable start(Gatehouse node, boolean adminCreated, PrintWriter out) throws Exception;
    }

    private final Object lock = new Object();
    private Gatehouse node;
    private AutoCloseable added;
    private boolean closed;

    private NodeRun() {}

    /** Runs the node of {@code cfg} with {@code addition} until a stop signal; returns the exit status. */
    static int run(GatehouseConfig cfg, PrintWriter out, Addition addition) throws Exception {
        LogOutput.use(cfg.logFormat());
        NodeRun run = new NodeRun();
        boolean[] adminCreated = {false};
        run.node = Gatehouse.start(cfg, Clock.systemUTC(), line -> {
            adminCreated[0] = true; // the console carries only the bootstrap admin's password
            out.println(line);
        });
        CountDownLatch stop = new CountDownLatch(1);
        // Any other way the JVM ends (System.exit, SIGHUP) still closes the node in order.
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            stop.countDown();
                            run.close();
                        },
                        "gatehouse-shutdown"));
        StopSignals.install(stop::countDown);
        out.println("listening on " + run.node.url());
        out.flush();
        LOG.info(
                "listening on {} (profile {})",
                run.node.url(),
                cfg.profile().name().toLowerCase(Locale.ROOT));
        try {
            synchronized (run.lock) {
                if (!run.closed) {
                    run.added = addition.start(run.node, adminCreated[0], out);
                }
            }
            out.flush();
            stop.await();
        } finally {
            run.close();
        }
        return 0;
    }

    /** Closes the addition, then the node; once, whoever calls first (the main thread or the shutdown hook). */
    private void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            try {
                if (added != null) {
                    added.close();
                }
            } catch (Exception e) {
                LOG.warn("stopping what ran beside the node failed", e);
            } finally {
                node.close();
            }
        }
    }
}
