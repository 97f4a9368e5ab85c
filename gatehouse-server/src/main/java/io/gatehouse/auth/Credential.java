package io.gatehouse.auth;

/**
 * A presented token (or session secret) and where it came from; for a cookie session also the
 * CSRF token that came with it (null if none). {@link #toString()} never shows either.
 */
public record Credential(String token, CredentialCarrier carrier, String csrf) {
    public Credential(String token, CredentialCarrier carrier) {
        this(token, carrier, null);
    }

    @Override
    public String toString() {
        return "Credential[" + carrier.wireName() + ", fingerprint=" + Fingerprint.of(token) + "]";
    }
}
