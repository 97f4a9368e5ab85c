package io.gatehouse.protocol;

/** What a client should do after a refusal (the last column of SPEC §3). */
public enum ClientAction {
    /** Obtain a credential (log in); no blind retry. */
    LOG_IN,
    /** Refresh the credential or CSRF token, then reconnect. */
    REFRESH_THEN_RECONNECT,
    /** Refresh once; if the refusal repeats, log in. */
    REFRESH_ONCE_THEN_LOG_IN,
    /** Reconnect (after the pacing hint, if any). */
    RECONNECT,
    /** Reconnect later with exponential backoff. */
    BACK_OFF,
    /** The client sent something wrong; retrying the same thing will not help. */
    FIX_CLIENT,
    /** Nothing: do not reconnect. */
    NONE
}
