package io.gatehouse.auth;

import io.gatehouse.protocol.Refusal;

/** The outcome of checking a credential: exactly one of {@code principal} and {@code refusal} is set. */
public record Verdict(Principal principal, Refusal refusal) {
    public static Verdict accepted(Principal principal) {
        return new Verdict(principal, null);
    }

    public static Verdict refused(Refusal refusal) {
        return new Verdict(null, refusal);
    }

    public boolean isAccepted() {
        return principal != null;
    }
}
