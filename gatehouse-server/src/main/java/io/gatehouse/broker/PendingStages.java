package io.gatehouse.broker;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * This node's publishes (or control commands) whose stage has not completed yet, by a number the
 * message carries in its origin tag. Redis answers the publisher on one connection and delivers
 * the message on another, in no set order; whichever comes first completes the stage, so that this
 * node's listener never receives what it published before the publisher's stage has completed.
 * Thread-safe.
 */
final class PendingStages<T> {
    private final AtomicLong last = new AtomicLong();
    private final ConcurrentHashMap<Long, CompletableFuture<T>> open = new ConcurrentHashMap<>();

    /** Keeps {@code stage} until it is settled; returns its number. */
    long open(CompletableFuture<T> stage) {
        long id = last.incrementAndGet();
        open.put(id, stage);
        return id;
    }

    /** Completes stage {@code id} with {@code value}, on the calling thread; no-op if already settled. */
    void complete(long id, T value) {
        // Completed before it is removed: a caller that finds it gone knows it is complete (the
        // delivery thread may deliver this node's own publication only after its stage completed).
        CompletableFuture<T> stage = open.get(id);
        if (stage != null) {
            stage.complete(value);
            open.remove(id);
        }
    }

    /** Fails stage {@code id}; no-op if already settled. */
    void fail(long id, Throwable failure) {
        CompletableFuture<T> stage = open.get(id);
        if (stage != null) {
            stage.completeExceptionally(failure);
            open.remove(id);
        }
    }

    /** Completes stage {@code id} with {@code value}, or fails it if {@code failure} is not null. */
    void settle(long id, T value, Throwable failure) {
        if (failure != null) {
            fail(id, failure);
        } else {
            complete(id, value);
        }
    }

    /** Fails every open stage (the broker closed). */
    void failAll(Throwable failure) {
        open.keySet().forEach(id -> fail(id, failure));
    }
}
