package io.gatehouse.proxy;

import io.gatehouse.protocol.Refusal;

/**
 * The application's answer about one client publish (docs/integrations.md): publish
 * {@code dataJson} (the client's, or what the application rewrote it to), or {@code refusal}:
 * PERMISSION_DENIED with its reason, or BACKEND_UNAVAILABLE when it could not answer.
 */
public record PublishDecision(Refusal refusal, String dataJson) {
    static PublishDecision publish(String dataJson) {
        return new PublishDecision(null, dataJson);
    }

    static PublishDecision refuse(Refusal refusal) {
        return new PublishDecision(refusal, null);
    }

    public boolean allowed() {
        return refusal == null;
    }
}
