package io.gatehouse.proxy;

import io.gatehouse.protocol.Refusal;
import java.time.Instant;

/**
 * The application's answer about one user's subscription to one channel (docs/integrations.md):
 * allowed, until {@code expiresAt} when it said so, with {@code dataJson} for the {@code subscribed}
 * reply when it gave some; or {@code refusal}: PERMISSION_DENIED with its reason, or
 * BACKEND_UNAVAILABLE when it could not answer.
 */
public record SubscribeDecision(Refusal refusal, Instant expiresAt, String dataJson) {
    static SubscribeDecision allow(Instant expiresAt, String dataJson) {
        return new SubscribeDecision(null, expiresAt, dataJson);
    }

    static SubscribeDecision refuse(Refusal refusal) {
        return new SubscribeDecision(refusal, null, null);
    }

    public boolean allowed() {
        return refusal == null;
    }
}
