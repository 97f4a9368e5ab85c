package io.gatehouse.protocol;

import java.util.Objects;

/**
 * A refusal as a value: its {@link RefusalCode} and a short, safe, actionable hint. Never holds a
 * secret, a stack trace, or whether a user exists.
 */
public record Refusal(RefusalCode code, String hint) {

    /** The longest close reason the WebSocket protocol allows, in bytes. */
    public static final int MAX_CLOSE_REASON_BYTES = 123;

    public Refusal {
        Objects.requireNonNull(code, "code");
        hint = hint == null ? code.defaultHint() : hint;
    }

    /** The reason of a close frame: the code, optionally followed by a pacing hint. */
    public String closeReason() {
        return code.name();
    }

    /** Thrown where a refusal must cross a stack that only knows exceptions (futures, parsers). */
    public RefusalException asException() {
        return new RefusalException(this);
    }
}
