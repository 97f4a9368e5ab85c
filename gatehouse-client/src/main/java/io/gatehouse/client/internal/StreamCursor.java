package io.gatehouse.client.internal;

import io.gatehouse.protocol.Publication;
import io.gatehouse.protocol.StreamPosition;

/**
 * The last position of a channel that a subscription delivered, and the rule that keeps its
 * publications exactly once and in order across reconnects: a publication at or below the last
 * delivered offset of the same epoch is a duplicate. Pure. Not thread-safe (the client thread owns
 * it).
 */
public final class StreamCursor {
    private StreamPosition last;

    /** The position to resubscribe {@code since}, or null before the first {@code subscribed}. */
    public StreamPosition position() {
        return last;
    }

    /**
     * A {@code subscribed} arrived. Recovered: the missed publications follow, so the cursor stays
     * where it was. Not recovered (or the first subscribe): live publications continue after
     * {@code at}.
     */
    public void subscribed(boolean recovered, StreamPosition at) {
        if (!recovered || last == null) {
            last = at;
        }
    }

    /** Whether {@code p} is new; if so the cursor moves to it. */
    public boolean advance(Publication p) {
        if (last != null && last.epoch().equals(p.epoch()) && p.offset() <= last.offset()) {
            return false;
        }
        last = new StreamPosition(p.offset(), p.epoch());
        return true;
    }
}
