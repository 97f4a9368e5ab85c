package io.gatehouse.cli;

import sun.misc.Signal;

/**
 * SIGTERM and SIGINT as a request to stop, so that {@code serve} closes the node and then exits
 * 0 (SPEC §7). Left to the JVM, either signal starts shutdown with exit status 143 or 130, which
 * service managers report as a failure. Java has no public signal API; {@code sun.misc.Signal}
 * (module {@code jdk.unsupported}) is the one every JDK ships.
 */
final class StopSignals {
    private StopSignals() {}

    /**
     * Runs {@code onStop} (on a JVM signal thread) when a stop signal arrives. Returns false, with
     * the JVM's own handling left in place, where signals cannot be handled (for instance under
     * {@code -Xrs}); a shutdown hook still closes the node then.
     */
    static boolean install(Runnable onStop) {
        try {
            for (String name : new String[] {"TERM", "INT"}) {
                Signal.handle(new Signal(name), signal -> onStop.run());
            }
            return true;
        } catch (IllegalArgumentException | UnsupportedOperationException unavailable) {
            return false;
        }
    }
}
