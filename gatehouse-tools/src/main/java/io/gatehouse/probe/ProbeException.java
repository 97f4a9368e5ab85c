package io.gatehouse.probe;

/**
 * The probe could not run: the server cannot be reached, or will not let itself be probed. Not a
 * verdict on the server's safety; its message says what went wrong.
 */
public final class ProbeException extends Exception {
    private static final long serialVersionUID = 1L;

    public ProbeException(String message) {
        super(message, null, false, false);
    }
}
