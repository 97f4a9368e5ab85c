package io.gatehouse.broker;

/**
 * The broker that {@code broker.url} names could not be reached, or did not answer in time, while
 * a {@link RedisBroker} was built: a node then starts degraded and builds it again later
 * ({@link DeferredRedisBroker}, which logs this message). The message is one line naming
 * {@code broker.url} and where it points, never the password the URL may hold.
 */
public final class BrokerUnreachableException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    BrokerUnreachableException(String what, Throwable cause) {
        super(what + " (" + innermost(cause) + "); start Redis there or correct broker.url", cause);
    }

    /** The deepest cause's message on one line: "Connection refused", not Lettuce's wrapping. */
    private static String innermost(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return text.replaceAll("\\s+", " ").strip();
    }
}
