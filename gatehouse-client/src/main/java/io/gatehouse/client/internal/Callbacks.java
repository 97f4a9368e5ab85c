package io.gatehouse.client.internal;

import java.lang.System.Logger.Level;

/**
 * Calls into the application's listeners: an exception a listener throws is logged and goes no
 * further, so one bad listener cannot stop the client thread or skip what the others should hear.
 */
final class Callbacks {
    static final System.Logger LOG = System.getLogger("io.gatehouse.client");

    private Callbacks() {}

    static void call(String what, Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "The application's " + what + " threw; the client carries on", e);
        }
    }
}
