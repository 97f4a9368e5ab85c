package io.gatehouse.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A JDK {@code java.net.http.WebSocket} client that queues what it receives, so a test reads
 * {@code awaitType("connection_established"); awaitClose(4401, "TOKEN_INVALID")} with timeouts
 * instead of sleeps.
 */
public final class WsRecorder implements WebSocket.Listener, AutoCloseable {
    public static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    /** A received close frame. */
    public record Close(int code, String reason) {}

    private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    private final StringBuilder partial = new StringBuilder();
    private WebSocket socket;
    /** Set by {@link #awaitEstablished}. Only accessed by the test thread. */
    private JsonNode established;

    /** Connects with {@code headers} as name/value pairs and no subprotocol. */
    public static WsRecorder connect(URI uri, String... headers) {
        return connectOffering(uri, null, headers);
    }

    /**
     * Connects. {@code subprotocols} (may be null) are offered in order; {@code headers} are
     * name/value pairs.
     */
    public static WsRecorder connectOffering(URI uri, String[] subprotocols, String... headers) {
        WsRecorder r = new WsRecorder();
        WebSocket.Builder b = CLIENT.newWebSocketBuilder().connectTimeout(TIMEOUT);
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        if (subprotocols != null && subprotocols.length > 0) {
            String[] rest = new String[subprotocols.length - 1];
            System.arraycopy(subprotocols, 1, rest, 0, rest.length);
            b.subprotocols(subprotocols[0], rest);
        }
        try {
            r.socket = b.buildAsync(uri, r).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            Throwable cause = e.getCause() instanceof CompletionException c ? c.getCause() : e.getCause();
            if (cause instanceof WebSocketHandshakeException h) {
                throw new HandshakeRefused(
                        h.getResponse().statusCode(),
                        String.valueOf(h.getResponse().body()));
            }
            throw new IllegalStateException("WebSocket connect failed: " + e, e);
        }
        return r;
    }

    /** The server refused the upgrade with an HTTP status. */
    public static final class HandshakeRefused extends RuntimeException {
        private static final long serialVersionUID = 1L;
        public final int status;

        HandshakeRefused(int status, String body) {
            super("HTTP " + status + " " + body);
            this.status = status;
        }
    }

    public WebSocket socket() {
        return socket;
    }

    public String subprotocol() {
        return socket.getSubprotocol();
    }

    public WsRecorder send(String text) {
        socket.sendText(text, true).join();
        return this;
    }

    public WsRecorder sendJson(String json) {
        return send(json);
    }

    /** The next received text message, parsed. Fails on a close or a timeout. */
    public JsonNode awaitMessage() {
        Object e = next();
        if (e instanceof String s) {
            try {
                return TestGatehouse.JSON.readTree(s);
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }
        throw new AssertionError("expected a text message, got " + e);
    }

    /** The next text message within {@code wait}, parsed; null if none came. Fails on a close or an error. */
    public JsonNode pollMessage(Duration wait) {
        try {
            Object e = events.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
            if (e == null) {
                return null;
            }
            if (e instanceof String s) {
                return TestGatehouse.JSON.readTree(s);
            }
            throw new AssertionError("expected a text message, got " + e);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /** Skips messages until one of {@code type} arrives; returns it. */
    public JsonNode awaitType(String type) {
        while (true) {
            JsonNode m = awaitMessage();
            if (type.equals(m.path("type").asText())) {
                return m;
            }
        }
    }

    /**
     * Skips messages until {@code connection_established}; returns it and keeps it for {@link
     * #established}. Closes the socket when it fails, so that a fixture that throws leaves none open.
     */
    public JsonNode awaitEstablished() {
        try {
            established = awaitType("connection_established");
            return established;
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /** The {@code connection_established} message {@link #awaitEstablished} received. */
    public JsonNode established() {
        if (established == null) {
            throw new IllegalStateException("connection_established has not been awaited yet");
        }
        return established;
    }

    /** Subscribes to {@code channel}; the next message must be its {@code subscribed}, which this returns. */
    public JsonNode subscribe(String channel) {
        return assertReply("subscribed", channel, request(subscribeMessage(channel)));
    }

    /** Subscribes to {@code channel} with {@code since} (a position from a {@code message}); as {@link #subscribe}. */
    public JsonNode subscribeSince(String channel, long offset, String epoch) {
        ObjectNode subscribe = subscribeMessage(channel);
        subscribe.putObject("since").put("offset", offset).put("epoch", epoch);
        return assertReply("subscribed", channel, request(subscribe));
    }

    /** Sends a subscribe with {@code id}; returns the next message, its reply: {@code subscribed} or an error. */
    public JsonNode subscribeReply(String channel, int id) {
        return request(subscribeMessage(channel).put("id", id));
    }

    /** Unsubscribes from {@code channel}; the next message must be its {@code unsubscribed}, which this returns. */
    public JsonNode unsubscribe(String channel) {
        ObjectNode unsubscribe =
                TestGatehouse.JSON.createObjectNode().put("type", "unsubscribe").put("channel", channel);
        return assertReply("unsubscribed", channel, request(unsubscribe));
    }

    /** Asserts that the connection is open and reading: a ping's reply is the next message. */
    public JsonNode assertAlive() {
        return assertAlive("the connection");
    }

    /** As {@link #assertAlive()}, naming the connection as {@code what} when it fails. */
    public JsonNode assertAlive(String what) {
        send("{\"type\":\"ping\"}");
        Object e = next();
        JsonNode pong = e instanceof String s ? readJson(s) : null;
        if (pong == null || !pong.path("type").asText().equals("pong")) {
            throw new AssertionError(what + " should answer a ping with pong, got " + e);
        }
        return pong;
    }

    private static ObjectNode subscribeMessage(String channel) {
        return TestGatehouse.JSON.createObjectNode().put("type", "subscribe").put("channel", channel);
    }

    private JsonNode request(ObjectNode message) {
        send(message.toString());
        return awaitMessage();
    }

    /** {@code reply}, which must be of {@code type} and name {@code channel}. */
    private static JsonNode assertReply(String type, String channel, JsonNode reply) {
        if (!reply.path("type").asText().equals(type)
                || !reply.path("channel").asText().equals(channel)) {
            throw new AssertionError("expected " + type + " of " + channel + ", got " + reply);
        }
        return reply;
    }

    private static JsonNode readJson(String text) {
        try {
            return TestGatehouse.JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Skips messages until the close frame; returns it. */
    public Close awaitClose() {
        while (true) {
            Object e = next();
            if (e instanceof Close c) {
                return c;
            }
            if (e instanceof Throwable t) {
                throw new AssertionError("expected a close frame, got an error", t);
            }
        }
    }

    /**
     * {@link #awaitClose()}, printing how long after {@code sinceNanos} (a {@link System#nanoTime()})
     * the close frame came, as a figure for the test's output. Not a bound: how fast is a matter for
     * benchmarks, and a loaded machine must not fail a test; the wait is {@link #TIMEOUT}.
     */
    public Close awaitClose(String what, long sinceNanos) {
        Close c = awaitClose();
        System.out.println(what + ": closed "
                + Duration.ofNanos(System.nanoTime() - sinceNanos).toMillis() + " ms after");
        return c;
    }

    /** Asserts that nothing arrives for {@code wait}. */
    public void assertQuiet(Duration wait) {
        try {
            Object e = events.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
            if (e != null) {
                throw new AssertionError("expected nothing, got " + e);
            }
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    private Object next() {
        try {
            Object e = events.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (e == null) {
                throw new AssertionError("nothing arrived within " + TIMEOUT);
            }
            return e;
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            events.add(partial.toString());
            partial.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        events.add("binary");
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        events.add(new Close(statusCode, reason));
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        events.add(error);
    }

    @Override
    public void close() {
        if (socket != null && !socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "").exceptionally(e -> null);
        }
        if (socket != null) {
            socket.abort();
        }
    }
}
