package io.gatehouse.connection;

import java.util.concurrent.Future;

/**
 * The timers {@link CredentialLifetime} set for one connection: the {@code token_expiring}
 * warning and the expiry itself. Confined to the connection's thread.
 */
final class ExpiryTimers {
    private Future<?> warning;
    private Future<?> expiry;

    void set(Future<?> warning, Future<?> expiry) {
        cancel();
        this.warning = warning;
        this.expiry = expiry;
    }

    void cancel() {
        if (warning != null) {
            warning.cancel(false);
            warning = null;
        }
        if (expiry != null) {
            expiry.cancel(false);
            expiry = null;
        }
    }
}
