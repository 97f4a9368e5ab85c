package io.gatehouse.client.internal;

import io.gatehouse.client.TokenProvider;
import java.util.concurrent.CompletableFuture;

/**
 * The token a client connects with, and when and why to ask its {@link TokenProvider} for the
 * next: before each connect ({@code CONNECT}, or {@code EXPIRED} after the server said so), and for
 * an in-band refresh ({@code EXPIRING}), one at a time. Not thread-safe (the client thread owns it).
 */
final class Credential {
    private final TokenProvider provider;
    private String current;
    private TokenProvider.Reason nextConnect = TokenProvider.Reason.CONNECT;
    private boolean refreshing;

    Credential(TokenProvider provider) {
        this.provider = provider;
    }

    /** The token to connect with next. */
    CompletableFuture<String> forConnect() {
        return ask(nextConnect);
    }

    /** The server refused the token as expired: the next connect needs a fresh one. */
    void expired() {
        nextConnect = TokenProvider.Reason.EXPIRED;
    }

    /** A connect goes out with {@code token}. */
    void use(String token) {
        current = token;
        nextConnect = TokenProvider.Reason.CONNECT;
    }

    String current() {
        return current;
    }

    /** The token for an in-band refresh, or null while one is under way. */
    CompletableFuture<String> forRefresh() {
        if (refreshing) {
            return null;
        }
        refreshing = true;
        return ask(TokenProvider.Reason.EXPIRING);
    }

    /**
     * Whether {@code fresh} is worth a {@code refresh} (a token other than the one held); if so it
     * becomes the current one, else the refresh is over.
     */
    boolean adopt(String fresh) {
        if (fresh == null || fresh.equals(current)) {
            refreshing = false;
            return false;
        }
        current = fresh;
        return true;
    }

    /** The refresh got its answer, or its connection ended. */
    void refreshOver() {
        refreshing = false;
    }

    private CompletableFuture<String> ask(TokenProvider.Reason reason) {
        try {
            CompletableFuture<String> next = provider.token(reason);
            return next == null ? CompletableFuture.completedFuture(null) : next;
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
