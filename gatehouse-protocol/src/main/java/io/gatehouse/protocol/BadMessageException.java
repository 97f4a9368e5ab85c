package io.gatehouse.protocol;

import com.fasterxml.jackson.databind.JsonNode;

/** A client message that breaks the protocol: the refusal to reply with and the {@code id} to echo, if any. */
public final class BadMessageException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Refusal refusal;
    private final transient JsonNode id;

    public BadMessageException(Refusal refusal, JsonNode id) {
        super(refusal.hint(), null, false, false);
        this.refusal = refusal;
        this.id = id;
    }

    public Refusal refusal() {
        return refusal;
    }

    public JsonNode id() {
        return id;
    }
}
