package io.gatehouse.auth;

/** A presented token and where it came from. {@link #toString()} never shows the token. */
public record Credential(String token, CredentialCarrier carrier) {
    @Override
    public String toString() {
        return "Credential[" + carrier.wireName() + ", fingerprint=" + Fingerprint.of(token) + "]";
    }
}
