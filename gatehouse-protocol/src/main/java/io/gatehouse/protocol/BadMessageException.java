package io.gatehouse.protocol;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A message that breaks the protocol: the refusal to reply with (BAD_REQUEST and a hint saying
 * what is wrong), the {@code id} to echo, if any, and the message's type when it was known (null
 * for malformed JSON, a missing or an unknown type).
 */
public final class BadMessageException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Refusal refusal;
    private final transient JsonNode id;
    private final MessageType type;

    public BadMessageException(Refusal refusal, JsonNode id, MessageType type) {
        super(refusal.hint(), null, false, false);
        this.refusal = refusal;
        this.id = id;
        this.type = type;
    }

    public BadMessageException(Refusal refusal, JsonNode id) {
        this(refusal, id, null);
    }

    /** BAD_REQUEST with {@code hint}. */
    static BadMessageException badRequest(String hint, JsonNode id, MessageType type) {
        return new BadMessageException(RefusalCode.BAD_REQUEST.refusal(hint), id, type);
    }

    public Refusal refusal() {
        return refusal;
    }

    public JsonNode id() {
        return id;
    }

    /** The message's type, or null when the message did not get that far. */
    public MessageType type() {
        return type;
    }
}
