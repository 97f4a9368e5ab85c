package io.gatehouse.store;

/**
 * A database operation failed. The message names the operation ("Could not add user 'alice'")
 * and never carries secrets; the driver's exception is kept as the cause.
 */
public final class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
