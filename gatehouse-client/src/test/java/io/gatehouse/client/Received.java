package io.gatehouse.client;

import io.gatehouse.protocol.Publication;
import io.gatehouse.protocol.Refusal;
import io.gatehouse.protocol.StreamPosition;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A {@link SubscriptionListener} that keeps what one subscription hears. */
final class Received implements SubscriptionListener {
    record Subscribed(boolean recovered, StreamPosition position) {}

    final List<Publication> publications = new CopyOnWriteArrayList<>();
    final List<Subscribed> subscribed = new CopyOnWriteArrayList<>();
    final List<Refusal> ended = new CopyOnWriteArrayList<>();

    @Override
    public void onPublication(Publication publication) {
        publications.add(publication);
    }

    @Override
    public void onSubscribed(boolean recovered, StreamPosition position) {
        subscribed.add(new Subscribed(recovered, position));
    }

    @Override
    public void onEnded(Refusal refusal) {
        ended.add(refusal);
    }

    /** The {@code data} of every publication, as JSON text, in the order they came. */
    List<String> data() {
        return publications.stream().map(Publication::dataJson).toList();
    }
}
