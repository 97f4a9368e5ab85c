package io.gatehouse.cli;

/** A command that cannot do what was asked; its message is shown as {@code error: ...}. */
final class CommandFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CommandFailure(String message) {
        super(message, null, false, false);
    }
}
