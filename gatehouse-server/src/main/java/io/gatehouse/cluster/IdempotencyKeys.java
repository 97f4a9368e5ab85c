package io.gatehouse.cluster;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * What the server API remembers of publishes made with an {@code idempotency_key}
 * (publish.idempotency_window; docs/integrations.md), where every node of the deployment sees it:
 * on Redis with a Redis broker ({@code RedisIdempotencyKeys}), in this node's memory otherwise
 * ({@link LocalIdempotencyKeys}). A key is claimed by one caller, which then settles it with its
 * result or releases it when it failed; each step is atomic, so two nodes never both claim one.
 * Stages complete off Redis's threads and fail when the store cannot be reached.
 */
public interface IdempotencyKeys {
    /** What {@link #claim} completes with while the claimer has not settled the key yet. */
    String PENDING = "";

    /**
     * Claims {@code key} for {@code hold}: completes with null when this call claimed it (the caller
     * must then {@link #settle} or {@link #release} it; unsettled, the claim lapses after
     * {@code hold}), else with the result stored for it, or {@link #PENDING} while its claimer has
     * not settled it.
     */
    CompletionStage<String> claim(String key, Duration hold);

    /** Stores {@code result} (not empty) for the claimed {@code key}, kept for {@code window}. */
    CompletionStage<Void> settle(String key, String result, Duration window);

    /** Forgets the claimed {@code key}: the claimer failed, and the next claim of it wins. */
    CompletionStage<Void> release(String key);
}
