package io.gatehouse.client.internal;

import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One WebSocket connection attempt: turns the JDK's callbacks into events on the client thread and
 * writes text frames one at a time (the JDK allows one outstanding send). A new {@code Link} per
 * attempt, so that an event from an abandoned one is recognised and ignored.
 *
 * <p>Outbound frames are paced by a {@link TokenBucket} below the server's {@code
 * limits.messages_per_connection}, so a burst of resubscribes does not get the connection closed
 * with {@code 4429 RATE_LIMITED}.
 *
 * <p>Flow control: the next frame is requested only after the client thread handled this one, so a
 * client that cannot keep up stops reading and the server closes it with {@code 4508
 * SLOW_CONSUMER} (then it reconnects and recovers) rather than this process buffering without end.
 */
final class Link implements WebSocket.Listener {
    /** What the client thread hears from a link. */
    interface Events {
        void opened(Link link);

        void text(Link link, String text);

        /** The link closed: the server's close code and reason, or 1006 and "" when it dropped. */
        void closed(Link link, int code, String reason);
    }

    /** The close code a dropped connection reports (RFC 6455: never sent on the wire). */
    static final int ABNORMAL_CLOSURE = 1006;

    /** How much unsent text a link holds before sends are refused. */
    static final long MAX_QUEUED_CHARS = 16L * 1024 * 1024; // 16 Mi characters

    private static final long CLOSE_GRACE_MILLIS = 2000;

    private final ClientThread loop;
    private final Events events;
    /** Client-thread only. */
    private final TokenBucket pace;
    /** Only touched by the JDK's listener callbacks, which it calls one at a time. */
    private final StringBuilder partial = new StringBuilder();

    private volatile long lastHeardNanos = System.nanoTime();

    // The rest is client-thread only.
    private WebSocket socket;
    private final ArrayDeque<String> outbox = new ArrayDeque<>();
    private long queuedChars;
    private boolean sending;
    private boolean finished;
    private ScheduledFuture<?> watchdog;
    /** The next {@link #pump()}, when {@link #pace} had no token; null otherwise. */
    private ScheduledFuture<?> paused;

    Link(ClientThread loop, Events events, TokenBucket pace) {
        this.loop = loop;
        this.events = events;
        this.pace = pace;
    }

    /** The socket opened (client thread). */
    void attach(WebSocket socket) {
        this.socket = socket;
        if (finished) {
            socket.abort();
        }
    }

    /**
     * Calls {@code onSilence} (on the client thread) if the server goes silent: it pings every
     * {@code heartbeatMillis}, so two intervals without a frame mean the network is gone even if TCP
     * has not noticed. Ends with the link.
     */
    void watch(ClientThread thread, long heartbeatMillis, Runnable onSilence) {
        if (heartbeatMillis <= 0) {
            return;
        }
        long limit = TimeUnit.MILLISECONDS.toNanos(2 * heartbeatMillis);
        watchdog = thread.every(
                () -> {
                    if (!finished && System.nanoTime() - lastHeardNanos > limit) {
                        onSilence.run();
                    }
                },
                heartbeatMillis);
    }

    /**
     * Queues a text frame (client thread). False when the link is closed or its queue is over
     * {@link #MAX_QUEUED_CHARS}.
     */
    boolean send(String text) {
        if (finished || socket == null || queuedChars + text.length() > MAX_QUEUED_CHARS) {
            return false;
        }
        outbox.add(text);
        queuedChars += text.length();
        pump();
        return true;
    }

    private void pump() {
        if (sending || finished || paused != null || outbox.isEmpty()) {
            return;
        }
        long waitNanos = pace.take(System.nanoTime());
        if (waitNanos > 0) {
            paused = loop.schedule(
                    () -> {
                        paused = null;
                        pump();
                    },
                    Math.max(1, TimeUnit.NANOSECONDS.toMillis(waitNanos)));
            return;
        }
        String next = outbox.poll();
        queuedChars -= next.length();
        sending = true;
        socket.sendText(next, true)
                .whenComplete((ws, failure) -> loop.execute(() -> {
                    sending = false;
                    if (failure != null) {
                        abort();
                    } else {
                        pump();
                    }
                }));
    }

    /** Closes politely (1000), dropping TCP if the server does not answer in time (client thread). */
    void close() {
        if (finished) {
            return;
        }
        finish();
        if (socket != null) {
            WebSocket ws = socket;
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "")
                    .orTimeout(CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS)
                    .whenComplete((w, e) -> CompletableFuture.delayedExecutor(CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS)
                            .execute(ws::abort));
        }
    }

    /** Drops TCP at once (client thread). */
    void abort() {
        finish();
        if (socket != null) {
            socket.abort();
        }
    }

    /** The server closed it: the JDK answers the close frame and lets go of TCP (client thread). */
    void finish() {
        finished = true;
        outbox.clear();
        ClientThread.cancel(watchdog);
        ClientThread.cancel(paused);
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        heard();
        // Closed while the upgrade was under way, the client thread may be gone: nobody would
        // ever close this socket, and the server would hold the connection until its heartbeat.
        loop.post(
                () -> {
                    attach(webSocket);
                    events.opened(this);
                },
                webSocket::abort);
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        heard();
        partial.append(data);
        if (!last) {
            webSocket.request(1);
            return null;
        }
        String text = partial.toString();
        partial.setLength(0);
        loop.execute(() -> {
            events.text(this, text);
            webSocket.request(1);
        });
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        heard(); // the server never sends binary frames; nothing to do with one
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
        heard(); // the JDK answers with a pong by itself
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
        heard();
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        loop.execute(() -> events.closed(this, statusCode, reason == null ? "" : reason));
        return null; // the JDK answers the close frame at once
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        loop.execute(() -> events.closed(this, ABNORMAL_CLOSURE, ""));
    }

    private void heard() {
        lastHeardNanos = System.nanoTime();
    }
}
