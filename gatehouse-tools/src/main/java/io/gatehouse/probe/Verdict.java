package io.gatehouse.probe;

import java.util.Objects;

/** The judgement on one scenario and why, in words an operator can act on. */
public record Verdict(Kind kind, String why) {

    public enum Kind {
        /** Behaved as a safe server does. */
        SAFE,
        /** Accepted what it should have refused: a missing, bad or expired credential, or a foreign page with a cookie. */
        UNSAFE,
        /** Refused, but in a way the client cannot read: a browser sees only close 1006 and cannot tell why. */
        UNREADABLE,
        /**
         * Works, but by a choice worth revisiting, said with the fix: a token taken from the query
         * string, a slow time-out, no rate limit on refused credentials. Never a failure.
         */
        WARN,
        /**
         * A valid token refused by one carrier (header, subprotocol, query) while another carried the
         * same token in: the server does not take it this way. A note, never a failure.
         */
        NOT_SUPPORTED,
        /** Not run because the probe lacks an input; never a failure. */
        SKIPPED
    }

    public Verdict {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(why, "why");
    }

    static Verdict safe(String why) {
        return new Verdict(Kind.SAFE, why);
    }

    static Verdict unsafe(String why) {
        return new Verdict(Kind.UNSAFE, why);
    }

    static Verdict unreadable(String why) {
        return new Verdict(Kind.UNREADABLE, why);
    }

    static Verdict warn(String why) {
        return new Verdict(Kind.WARN, why);
    }

    static Verdict notSupported(String why) {
        return new Verdict(Kind.NOT_SUPPORTED, why);
    }

    static Verdict skipped(String why) {
        return new Verdict(Kind.SKIPPED, why);
    }

    /** Whether this verdict makes the probe exit 1. */
    public boolean fails() {
        return kind == Kind.UNSAFE || kind == Kind.UNREADABLE;
    }
}
