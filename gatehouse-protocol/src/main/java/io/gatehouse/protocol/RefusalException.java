package io.gatehouse.protocol;

/**
 * Carries a {@link Refusal} through code that can only fail with exceptions, such as a
 * {@code CompletableFuture}. No stack trace: it is an expected outcome, not a bug.
 */
public final class RefusalException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Refusal refusal;

    public RefusalException(Refusal refusal) {
        super(refusal.code() + ": " + refusal.hint(), null, false, false);
        this.refusal = refusal;
    }

    public Refusal refusal() {
        return refusal;
    }

    /**
     * The refusal behind {@code failure} (unwrapping completion wrappers): its own, BACKEND_UNAVAILABLE
     * when the blocking pool refused the work, else INTERNAL_ERROR.
     */
    public static Refusal refusalOf(Throwable failure) {
        Throwable t = failure;
        while (t != null) {
            if (t instanceof RefusalException r) {
                return r.refusal();
            }
            if (t instanceof java.util.concurrent.RejectedExecutionException) {
                return RefusalCode.BACKEND_UNAVAILABLE.refusal("The server is overloaded; back off and retry");
            }
            t = t.getCause();
        }
        return RefusalCode.INTERNAL_ERROR.refusal();
    }
}
