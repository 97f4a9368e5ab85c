package io.gatehouse.history;

import io.gatehouse.protocol.Publication;
import io.gatehouse.protocol.StreamPosition;
import java.util.List;

/**
 * The answer to a history read: kept publications in offset order (contiguous), and the channel's
 * position read at the same instant.
 */
public record HistoryPage(List<Publication> publications, StreamPosition position) {
    public HistoryPage {
        publications = List.copyOf(publications);
    }
}
