package io.gatehouse.probe;

import java.util.Locale;

/**
 * How an {@link Outcome} is judged. A refusal must be one the client can read: a close frame with
 * a refusal code (4000-4999, 3000-3999 or 1008) and a reason. Browsers cannot read the HTTP status
 * of a failed upgrade, nor anything from a dropped connection: both show as close 1006.
 */
public enum Rule {
    /** A credential that must not get in: refused readably, whenever (within the wait) and whatever came before. */
    MUST_REFUSE("close 4xxx/1008 + reason") {
        @Override
        Verdict judge(Outcome outcome) {
            if (outcome instanceof Outcome.StillOpen open) {
                return Verdict.unsafe(accepted(open) + "; a safe server closes with 4401 (or 1008) and a reason"
                        + " (if yours waits longer for an in-band auth message, set --wait to that timeout)");
            }
            if (outcome instanceof Outcome.Closed closed && readable(closed)) {
                return Verdict.safe("refused with a close code and reason the client can read");
            }
            return Verdict.unreadable(unreadable(outcome));
        }
    },

    /**
     * A page from a foreign Origin: any refusal will do, before the upgrade (HTTP 403, Gatehouse's
     * way) or after it. The page is not one the server talks to, so it need not read why.
     */
    MUST_REFUSE_CROSS_SITE("HTTP 403, or a close") {
        @Override
        Verdict judge(Outcome outcome) {
            if (outcome instanceof Outcome.StillOpen open) {
                return Verdict.unsafe(
                        accepted(open) + " from a foreign Origin; check Origin against an allow-list before the upgrade"
                                + " (answer HTTP 403), as cross-site WebSocket hijacking rides on the browser's cookies");
            }
            if (outcome instanceof Outcome.Refused) {
                return Verdict.safe("refused before the upgrade");
            }
            return Verdict.safe("not accepted");
        }
    },

    /**
     * A credential that should get in. Being refused is not unsafe (the carrier may be turned off,
     * as {@code auth.allow_query_token: false} does), but the refusal must still be readable.
     */
    SHOULD_ACCEPT("accept") {
        @Override
        Verdict judge(Outcome outcome) {
            if (outcome instanceof Outcome.StillOpen) {
                return Verdict.safe("accepted");
            }
            if (outcome instanceof Outcome.Closed closed && readable(closed)) {
                return Verdict.safe(
                        "refused readably; if the credential is valid, the server does not take it this way");
            }
            return Verdict.unreadable(unreadable(outcome));
        }
    };

    private static final String CLOSE_FIX = "close with 4401 (or 1008) and a reason";

    private final String expected;

    Rule(String expected) {
        this.expected = expected;
    }

    /** What a safe server does, for the table. */
    public String expected() {
        return expected;
    }

    /** The verdict on {@code outcome}; never {@link Verdict.Kind#SKIPPED}. */
    abstract Verdict judge(Outcome outcome);

    /** A close frame that tells a client why: a refusal code and a reason. */
    private static boolean readable(Outcome.Closed closed) {
        return refusalCode(closed.code()) && !closed.reason().isBlank();
    }

    private static boolean refusalCode(int code) {
        return code == 1008 || (code >= 3000 && code <= 4999);
    }

    private static String accepted(Outcome.StillOpen open) {
        return open.received().count() > 0
                ? "accepted: sent "
                        + (open.received().count() == 1
                                ? "a message"
                                : open.received().count() + " messages")
                : String.format(
                        Locale.ROOT,
                        "accepted: still open after %.1f s",
                        open.after().toMillis() / 1000.0);
    }

    private static String unreadable(Outcome outcome) {
        if (outcome instanceof Outcome.Refused refused) {
            return "refused with HTTP " + refused.status() + " before the upgrade: a browser sees only close 1006;"
                    + " complete the handshake and " + CLOSE_FIX;
        }
        if (outcome instanceof Outcome.Closed closed) {
            if (closed.code() == Outcome.Closed.NO_STATUS) {
                return "closed without a code: the client cannot tell why; " + CLOSE_FIX;
            }
            if (!refusalCode(closed.code())) {
                return "closed with " + closed.code() + ", which a client cannot tell from "
                        + (closed.code() == 1000 ? "a normal end" : "a server failure") + "; " + CLOSE_FIX;
            }
            return "closed " + closed.code() + " without a reason: the client cannot tell why; add the reason";
        }
        if (outcome instanceof Outcome.Dropped) {
            return "dropped the connection without a close frame: a browser sees close 1006; " + CLOSE_FIX;
        }
        return "a browser sees close 1006; answer the upgrade, then " + CLOSE_FIX;
    }
}
