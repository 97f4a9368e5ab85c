package io.gatehouse.concurrent;

/**
 * The rule that no event loop ever waits on the database or other I/O, made checkable: event-loop
 * threads carry the name prefix {@value #EVENT_LOOP_PREFIX}, and blocking code calls
 * {@link #assertMayBlock} first, so a blocking call that slips onto a loop fails loudly in tests
 * instead of stalling every connection of that loop in production.
 */
public final class Threads {
    public static final String EVENT_LOOP_PREFIX = "gatehouse-loop";

    private Threads() {}

    /** Daemon threads named {@code name-1}, {@code name-2}, ...: none of them keeps the process alive. */
    public static java.util.concurrent.ThreadFactory daemon(String name) {
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** @throws IllegalStateException on an event-loop thread */
    public static void assertMayBlock() {
        String name = Thread.currentThread().getName();
        if (name.startsWith(EVENT_LOOP_PREFIX)) {
            throw new IllegalStateException("blocking call on event loop thread " + name);
        }
    }
}
