package io.gatehouse.client;

import io.gatehouse.protocol.Publication;
import io.gatehouse.protocol.Refusal;
import io.gatehouse.protocol.ServerMessage.ConnectionEstablished;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A {@link ClientListener} that keeps everything it hears, with when, for assertions. */
class Recorder implements ClientListener {
    /** A state change and the {@link System#nanoTime()} it was heard at. */
    record Timed(StateChange change, long nanos) {}

    final List<Timed> states = new CopyOnWriteArrayList<>();
    final List<ConnectionEstablished> connected = new CopyOnWriteArrayList<>();
    final List<Refusal> authErrors = new CopyOnWriteArrayList<>();
    final List<Refusal> stopped = new CopyOnWriteArrayList<>();
    final List<Publication> personal = new CopyOnWriteArrayList<>();
    /** The names of the threads listeners were called on. */
    final List<String> threads = new CopyOnWriteArrayList<>();

    @Override
    public void onStateChange(StateChange change) {
        threads.add(Thread.currentThread().getName());
        states.add(new Timed(change, System.nanoTime()));
    }

    @Override
    public void onConnected(ConnectionEstablished established) {
        connected.add(established);
    }

    @Override
    public void onAuthError(Refusal refusal) {
        authErrors.add(refusal);
    }

    @Override
    public void onStopped(Refusal refusal) {
        stopped.add(refusal);
    }

    @Override
    public void onPersonalMessage(Publication publication) {
        personal.add(publication);
    }

    List<ConnectionState> stateNames() {
        return states.stream().map(t -> t.change().state()).toList();
    }

    /** The changes into {@code state}, in order. */
    List<Timed> into(ConnectionState state) {
        return states.stream().filter(t -> t.change().state() == state).toList();
    }
}
