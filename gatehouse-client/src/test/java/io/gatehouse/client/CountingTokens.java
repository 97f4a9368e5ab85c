package io.gatehouse.client;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A {@link TokenProvider} that counts: each call hands out the token a script names (by call number
 * or by reason) and records why it was asked.
 */
final class CountingTokens implements TokenProvider {
    final List<Reason> calls = new CopyOnWriteArrayList<>();
    private final BiFunction<Integer, Reason, String> script;

    private CountingTokens(BiFunction<Integer, Reason, String> script) {
        this.script = script;
    }

    /** Hands out {@code tokens} in order, then the last one for ever. */
    static CountingTokens of(String... tokens) {
        return new CountingTokens((n, reason) -> tokens[Math.min(n, tokens.length - 1)]);
    }

    /** Hands out {@code make.apply(n)} for the n-th call (from 0): fresh tokens every time. */
    static CountingTokens making(Function<Integer, String> make) {
        return new CountingTokens((n, reason) -> make.apply(n));
    }

    /** Hands out {@code make.apply(reason)}. */
    static CountingTokens byReason(Function<Reason, String> make) {
        return new CountingTokens((n, reason) -> make.apply(reason));
    }

    @Override
    public synchronized CompletableFuture<String> token(Reason reason) {
        int n = calls.size();
        calls.add(reason);
        return CompletableFuture.completedFuture(script.apply(n, reason));
    }

    int count() {
        return calls.size();
    }
}
