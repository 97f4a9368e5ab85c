package io.gatehouse.cli;

import java.lang.reflect.Proxy;

/**
 * SIGTERM and SIGINT as a request to stop, so that {@code serve} closes the node and then exits
 * 0 (SPEC §7). Left to the JVM, either signal starts shutdown with exit status 143 or 130, which
 * service managers report as a failure.
 *
 * <p>Java has no public API for signals; {@code sun.misc.Signal} (module {@code jdk.unsupported})
 * is the one every JDK ships. It is reached reflectively so the build stays free of warnings about
 * internal API, and its absence only means the JVM's default handling.
 */
final class StopSignals {
    private static final String[] SIGNALS = {"TERM", "INT"};

    private StopSignals() {
    }

    /**
     * Runs {@code onStop} (on a JVM signal thread) when a stop signal arrives. Returns false, with
     * the JVM's own handling left in place, where signals cannot be handled (no
     * {@code jdk.unsupported}, or {@code -Xrs}); a shutdown hook still closes the node then.
     */
    static boolean install(Runnable onStop) {
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Object handler = Proxy.newProxyInstance(StopSignals.class.getClassLoader(), new Class<?>[] {handlerClass},
                    (proxy, method, args) -> {
                        if (method.getName().equals("handle")) {
                            onStop.run();
                            return null;
                        }
                        return switch (method.getName()) {
                            case "hashCode" -> System.identityHashCode(proxy);
                            case "equals" -> proxy == args[0];
                            default -> "StopSignals.handler";
                        };
                    });
            var handle = signalClass.getMethod("handle", signalClass, handlerClass);
            for (String name : SIGNALS) {
                handle.invoke(null, signalClass.getConstructor(String.class).newInstance(name), handler);
            }
            return true;
        } catch (ReflectiveOperationException | LinkageError | RuntimeException unavailable) {
            return false;
        }
    }
}
