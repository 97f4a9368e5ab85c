package io.gatehouse.protocol;

import java.time.Instant;

/**
 * One message on a channel: {@code offset} starts at 1 and grows by one per publication of that
 * channel within {@code epoch}. {@code dataJson} is the publisher's JSON, kept as text.
 */
public record Publication(String channel, long offset, String epoch, String dataJson, Instant publishedAt) {
    /** Where this publication stands in its channel: the position a client resumes after. */
    public StreamPosition position() {
        return new StreamPosition(offset, epoch);
    }
}
