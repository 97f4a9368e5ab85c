package io.gatehouse.client;

import java.util.concurrent.CompletableFuture;

/**
 * Where the client gets its credential: the application's token (a JWT, an opaque {@code ght_}
 * token, or any token the server's introspection accepts). The client asks before every connect
 * and reconnect, and again when the server says the token expired or is about to.
 *
 * <p>Called on the client thread; it must not block: return a future and complete it from
 * elsewhere (an HTTP call to the application's login service, a cache). A future that completes
 * with {@code null} means "there is no credential": the client stops and calls
 * {@link ClientListener#onAuthError} with {@code TOKEN_MISSING}. A future that fails is taken as a
 * passing problem: the client retries with backoff.
 */
@FunctionalInterface
public interface TokenProvider {

    /** Why the client asks. */
    enum Reason {
        /** Before a connect or reconnect: a cached token that is still valid will do. */
        CONNECT,
        /** The server refused the last token as expired ({@code TOKEN_EXPIRED}): a fresh one is needed. */
        EXPIRED,
        /**
         * The server sent {@code token_expiring}: a fresh one, for an in-band {@code refresh}. The
         * same token as before means "nothing new": no refresh is sent.
         */
        EXPIRING
    }

    CompletableFuture<String> token(Reason reason);

    /** A provider of one fixed token (tests, long-lived service tokens). */
    static TokenProvider of(String token) {
        return reason -> CompletableFuture.completedFuture(token);
    }
}
