package io.gatehouse.testing;

import com.fasterxml.jackson.databind.JsonNode;
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
