package io.gatehouse.history;

import io.gatehouse.protocol.Publication;
import io.gatehouse.protocol.StreamPosition;
import java.util.ArrayList;
import java.util.List;

/**
 * How a subscription starts (SPEC §5): what the {@code subscribed} reply says and what follows it.
 * Pure: computed from the client's {@code since}, a history read made after live delivery to the
 * subscription began to be held back, and the publications held back meanwhile.
 *
 * <p>{@code recovered} is true when {@code since} names the current epoch and history still holds
 * every publication after it; {@code missed} are then those publications, in order. {@code position}
 * is where the client stands once it has {@code missed}: everything after it arrives as
 * {@code live}, in order, each publication exactly once.
 */
public record Recovery(boolean recovered, StreamPosition position, List<Publication> missed, List<Publication> live) {

    public Recovery {
        missed = List.copyOf(missed);
        live = List.copyOf(live);
    }

    /**
     * @param since    the client's last position, or null for a plain subscribe
     * @param page     history after {@code since} (or none), read after holding back began
     * @param heldBack live publications that arrived since holding back began, in delivery order
     */
    public static Recovery of(StreamPosition since, HistoryPage page, List<Publication> heldBack) {
        StreamPosition now = page.position();
        boolean recovered = since != null && covers(since, page);
        List<Publication> missed = recovered ? page.publications() : List.of();
        long through = now.offset();
        List<Publication> live = new ArrayList<>();
        for (Publication p : heldBack) {
            // Held-back publications the read already saw are duplicates; another epoch is all new.
            if (!p.epoch().equals(now.epoch()) || p.offset() > through) {
                live.add(p);
            }
        }
        return new Recovery(recovered, now, missed, live);
    }

    /** Whether {@code page} holds exactly the publications after {@code since}, up to its position. */
    static boolean covers(StreamPosition since, HistoryPage page) {
        StreamPosition now = page.position();
        if (!since.epoch().equals(now.epoch()) || since.offset() > now.offset()) {
            return false;
        }
        long expected = since.offset() + 1;
        for (Publication p : page.publications()) {
            if (p.offset() != expected || !p.epoch().equals(now.epoch())) {
                return false;
            }
            expected++;
        }
        return expected == now.offset() + 1;
    }
}
