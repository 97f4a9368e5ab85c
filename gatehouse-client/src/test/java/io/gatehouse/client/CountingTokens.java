package io.gatehouse.client;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A {@link TokenProvider} that counts: each call hands out the next token of a script (the last
 * one again once the script runs out) and records why it was asked.
 */
final class CountingTokens implements TokenProvider {
    final List<Reason> calls = new CopyOnWriteArrayList<>();
    private final Function<Integer, String> script;

    private CountingTokens(Function<Integer, String> script) {
        this.script = script;
    }

    /** Hands out {@code tokens} in order, then the last one for ever. */
    static CountingTokens of(String... tokens) {
        return new CountingTokens(n -> tokens[Math.min(n, tokens.length - 1)]);
    }

    /** Hands out {@code make.apply(n)} for the n-th call (from 0): fresh tokens every time. */
    static CountingTokens making(Function<Integer, String> make) {
        return new CountingTokens(make);
    }

    @Override
    public synchronized CompletableFuture<String> token(Reason reason) {
        int n = calls.size();
        calls.add(reason);
        return CompletableFuture.completedFuture(script.apply(n));
    }

    int count() {
        return calls.size();
    }
}
