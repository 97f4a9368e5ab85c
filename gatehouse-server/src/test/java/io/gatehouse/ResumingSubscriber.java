package io.gatehouse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A WebSocket subscriber of one channel that, as a real client does, subscribes again with
 * {@code since} (its last offset and epoch) each time it connects, to whichever node it is given,
 * and checks everything it receives: within an epoch each offset must follow the last one, and a
 * new epoch may come only with a {@code subscribed} whose {@code recovered} is false. What breaks
 * that is kept in {@link #violations}. Used by one thread at a time.
 */
final class ResumingSubscriber {
    final String user;
    final String channel;
    /** Offsets received, in order, across epochs (publications of a recovery and live ones alike). */
    final List<Long> offsets = new ArrayList<>();
    /** The data of each publication received, beside {@link #offsets}. */
    final List<String> data = new ArrayList<>();
    /** What a client could not have trusted: a gap, a duplicate, an epoch change it was not told. */
    final List<String> violations = new ArrayList<>();
    /** Subscribes with {@code since} answered {@code recovered: false}. */
    int notRecovered;
    /** Subscribes with {@code since} answered {@code recovered: true}. */
    int recovered;
    /** Times the server or the network closed the socket (not this client). */
    int closedOnIt;

    private String epoch;
    private long last = -1;
    private WsRecorder socket;

    ResumingSubscriber(String user, String channel) {
        this.user = user;
        this.channel = channel;
    }

    String epoch() {
        return epoch;
    }

    long last() {
        return last;
    }

    boolean isConnected() {
        return socket != null;
    }

    /**
     * Connects to {@code ws} and subscribes, with {@code since} once it has a position. Returns
     * false (and holds no socket) when the handshake or the subscribe was refused or failed.
     */
    boolean connect(URI ws) {
        try {
            socket = WsRecorder.connect(ws, "Authorization", "Bearer " + Jwts.hs256For(user));
            socket.awaitEstablished();
        } catch (RuntimeException | AssertionError e) {
            drop();
            return false;
        }
        ObjectNode subscribe =
                TestGatehouse.JSON.createObjectNode().put("type", "subscribe").put("channel", channel);
        boolean resuming = epoch != null;
        if (resuming) {
            subscribe.putObject("since").put("offset", last).put("epoch", epoch);
        }
        JsonNode reply;
        try {
            socket.send(subscribe.toString());
            reply = socket.awaitMessage();
        } catch (RuntimeException | AssertionError e) {
            drop();
            return false;
        }
        if (!"subscribed".equals(reply.path("type").asText())) {
            drop(); // an error (the broker is down): try again later
            return false;
        }
        String replyEpoch = reply.path("epoch").asText();
        if (!resuming) {
            epoch = replyEpoch;
            last = reply.path("offset").asLong();
            reply.path("publications").forEach(this::accept);
        } else if (reply.path("recovered").asBoolean()) {
            recovered++;
            if (!replyEpoch.equals(epoch)) {
                violations.add("recovered: true with epoch " + replyEpoch + " after " + epoch);
            }
            reply.path("publications").forEach(this::accept);
            if (last != reply.path("offset").asLong()) {
                violations.add("recovered up to " + last + " but subscribed says " + reply);
                last = reply.path("offset").asLong();
            }
        } else {
            notRecovered++;
            epoch = replyEpoch;
            last = reply.path("offset").asLong();
        }
        return true;
    }

    /**
     * Reads what arrives for {@code wait}, checking each publication. Returns false (and holds no
     * socket) if the socket was closed meanwhile.
     */
    boolean read(Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return true;
                }
                JsonNode m = socket.pollMessage(Duration.ofNanos(left));
                if (m != null && "message".equals(m.path("type").asText())) {
                    accept(m);
                }
            }
        } catch (RuntimeException | AssertionError e) {
            closedOnIt++; // a close frame or an error: the socket is gone
            drop();
            return false;
        }
    }

    /** Leaves: closes the socket (what was received and not read yet is not counted). */
    void drop() {
        if (socket != null) {
            socket.close();
            socket = null;
        }
    }

    private void accept(JsonNode publication) {
        long offset = publication.path("offset").asLong();
        String itsEpoch = publication.path("epoch").asText(epoch);
        if (!itsEpoch.equals(epoch)) {
            violations.add("offset " + offset + " of epoch " + itsEpoch + " while in epoch " + epoch + " at " + last);
            epoch = itsEpoch;
        } else if (offset != last + 1) {
            violations.add("offset " + offset + " after " + last + " in epoch " + epoch);
        }
        last = offset;
        offsets.add(offset);
        data.add(publication.path("data").toString());
    }

    @Override
    public String toString() {
        return user + " at " + last + "/" + epoch + " (" + offsets.size() + " received, " + recovered + " recovered, "
                + notRecovered + " not recovered, closed " + closedOnIt + " times)";
    }
}
