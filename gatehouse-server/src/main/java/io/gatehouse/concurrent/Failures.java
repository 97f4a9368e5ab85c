package io.gatehouse.concurrent;

import java.util.concurrent.CompletionException;

/** What a failed stage failed with, under the wrappers the stages added. */
public final class Failures {
    private Failures() {}

    /** {@code failure} without its {@link CompletionException} wrappers. */
    public static Throwable cause(Throwable failure) {
        Throwable cause = failure;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
