package io.gatehouse.broker;

import io.gatehouse.history.HistoryPage;
import io.gatehouse.protocol.Publication;
import io.gatehouse.protocol.StreamPosition;
import java.util.ArrayList;
import java.util.List;

/**
 * Where this node's listener stands in one channel a {@link RedisBroker} is subscribed to: the last
 * publication delivered, and, while a recovery read after a pub/sub reconnect is under way, the
 * messages held back until it is done (they are newer, and at most a bound: past it they are
 * dropped and continuity counts as lost). Its deliveries run in the channel's lane;
 * the recovery starts on a Lettuce thread. Thread-safe (guarded by this).
 */
final class ChannelCursor {
    /** The last publication delivered, or null before the first. */
    private StreamPosition last;
    /**
     * Where the channel stood just after this node subscribed (null until read): where a recovery
     * reads from when nothing was delivered yet.
     */
    private StreamPosition floor;
    /** Non-null while a recovery read is under way: the messages that arrived meanwhile, in order. */
    private List<String> heldBack;
    /** Counts recovery reads: only the newest one's answer ends the hold. */
    private int recoveries;
    /** Messages {@link #heldBack} keeps at most; past it they are dropped. */
    private final int maxHeld;
    /** More than {@link #maxHeld} messages arrived during the recovery under way. */
    private boolean heldOverflow;
    /** Messages from Redis are dropped until the lane delivers its continuity-lost signal. */
    private boolean overflowing;

    ChannelCursor(int maxHeld) {
        this.maxHeld = maxHeld;
    }

    synchronized void floor(StreamPosition position) {
        floor = position;
    }

    /**
     * Whether {@code p} is news (then it is the last delivered): not when it has this epoch and an
     * offset already delivered. A delivery lane's duplicate filter.
     */
    synchronized boolean advance(Publication p) {
        if (last != null && last.epoch().equals(p.epoch()) && p.offset() <= last.offset()) {
            return false;
        }
        last = new StreamPosition(p.offset(), p.epoch());
        return true;
    }

    /** Holds {@code message} back if a recovery is under way; returns whether it did. */
    synchronized boolean holdBack(String message) {
        if (heldBack == null) {
            return false;
        }
        if (heldBack.size() < maxHeld) {
            heldBack.add(message);
        } else {
            heldOverflow = true;
        }
        return true;
    }

    /** Whether more messages arrived during the recovery under way than could be held back. */
    synchronized boolean heldBackOverflowed() {
        return heldOverflow;
    }

    /** Too many deliveries wait in the channel's lane: drop what arrives until {@link #overflowEnded}. */
    synchronized void overflow() {
        overflowing = true;
    }

    synchronized boolean isOverflowing() {
        return overflowing;
    }

    /** The lane delivered what it held (its continuity-lost signal comes now): take messages again. */
    synchronized void overflowEnded() {
        overflowing = false;
    }

    /** Starts holding messages back; returns the recovery's number and where to read after (or null: unknown). */
    synchronized Recovery startRecovery() {
        if (heldBack == null) {
            heldBack = new ArrayList<>();
        }
        recoveries++;
        return new Recovery(recoveries, last != null ? last : floor);
    }

    /** A recovery read to make: its number, and the position to read after (null when unknown). */
    record Recovery(int number, StreamPosition after) {}

    /**
     * Whether {@code page}, read after {@code after}, continues it without a gap: same epoch, and
     * its publications run from the next offset up to the page's position.
     */
    static boolean continues(StreamPosition after, HistoryPage page) {
        if (after == null || !page.position().epoch().equals(after.epoch())) {
            return false;
        }
        List<Publication> read = page.publications();
        if (read.isEmpty()) {
            return page.position().offset() == after.offset();
        }
        return read.get(0).offset() <= after.offset() + 1
                && read.get(read.size() - 1).offset() == page.position().offset();
    }

    /** Continuity is lost: what comes next counts from {@code position}. */
    synchronized void restartAt(StreamPosition position) {
        last = position;
    }

    /** Whether {@code number} is the newest recovery (an older one's answer is left to it). */
    synchronized boolean isNewest(int number) {
        return number == recoveries && heldBack != null;
    }

    /** Ends the hold: returns what was held back, to deliver now, in order. */
    synchronized List<String> endRecovery() {
        List<String> held = heldBack == null ? List.of() : heldBack;
        heldBack = null;
        heldOverflow = false;
        return held;
    }
}
