package io.gatehouse.store;

import java.time.Instant;

/**
 * One row of the webhook outbox ({@code webhook_events}, docs/webhooks.md). {@code body} is the
 * exact JSON the backend receives; {@code lastError} is null until an attempt fails.
 */
public record WebhookEvent(
        String id,
        String type,
        Instant createdAt,
        String body,
        int attempts,
        Instant nextAttemptAt,
        Status status,
        String lastError) {
    public enum Status {
        PENDING,
        DELIVERED,
        DEAD
    }

    /** A new pending event, due at once. */
    public static WebhookEvent pending(String id, String type, Instant createdAt, String body) {
        return new WebhookEvent(id, type, createdAt, body, 0, createdAt, Status.PENDING, null);
    }
}
