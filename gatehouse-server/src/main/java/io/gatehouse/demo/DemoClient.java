package io.gatehouse.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.protocol.ClientAction;
import io.gatehouse.protocol.RefusalCode;
import java.net.http.WebSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One loopback client of {@link DemoTraffic}: connects with the demo user's token, subscribes to
 * {@value Demo#CHANNEL}, pings every {@value #PING_MILLIS} ms, and, unless it stays, leaves after
 * 15–45 s and comes back. A close by the node is handled as the refusal table says: retry,
 * or a new token first; a client the node stopped (e.g. disconnected from the dashboard) leaves its
 * place empty for {@value #AWAY_AFTER_STOP_MILLIS} ms. A node that shuts down (1012) ends it.
 * Its state changes only on the traffic's timer thread.
 */
final class DemoClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final long PING_MILLIS = 5000;
    private static final long AWAY_AFTER_STOP_MILLIS = 30_000;
    private static final long BACK_AFTER_LEAVING_MILLIS = 2000;
    private static final long RETRY_MILLIS = 3000;
    private static final int NORMAL = 1000;

    /** An opaque token and its expiry. */
    record Token(String value, Instant expiresAt) {}

    private final DemoTraffic traffic;
    /** Leaves and comes back now and then; the first client stays. */
    private final boolean churns;

    private Token token;
    private WebSocket socket;
    private CompletableFuture<WebSocket> sending;
    private ScheduledFuture<?> pinger;
    private int failedConnects;
    /** A socket whose connection_established came before {@link #opened} ran: subscribe once it does. */
    private WebSocket establishedEarly;

    private volatile boolean over;

    DemoClient(DemoTraffic traffic, boolean churns) {
        this.traffic = traffic;
        this.churns = churns;
    }

    void connect() {
        if (traffic.closed() || over) {
            return;
        }
        if (DemoTraffic.stale(token)) {
            try {
                token = traffic.mint();
            } catch (RuntimeException e) { // the database refused: try again later
                traffic.later(this::connect, 30_000);
                return;
            }
        }
        traffic.http
                .newWebSocketBuilder()
                .header("Authorization", "Bearer " + token.value())
                .header("User-Agent", DemoTraffic.USER_AGENT)
                .connectTimeout(Duration.ofSeconds(5))
                .buildAsync(traffic.uri(), new Listener())
                .whenComplete((ws, error) -> onTimer(() -> opened(ws)));
    }

    private void opened(WebSocket ws) {
        if (ws == null) { // refused or unreachable: back off, up to half a minute
            failedConnects++;
            traffic.later(this::connect, Math.min(30_000, RETRY_MILLIS * failedConnects));
            return;
        }
        failedConnects = 0;
        if (traffic.closed() || over) {
            ws.sendClose(NORMAL, "demo stopped");
            return;
        }
        socket = ws;
        sending = CompletableFuture.completedFuture(ws);
        pinger = traffic.timer.scheduleWithFixedDelay(
                () -> send(ws, "{\"type\":\"ping\"}"), PING_MILLIS, PING_MILLIS, TimeUnit.MILLISECONDS);
        if (establishedEarly == ws) {
            subscribe(ws);
        }
        establishedEarly = null;
        if (churns) {
            traffic.later(() -> leave(ws), ThreadLocalRandom.current().nextLong(15_000, 45_000));
        }
    }

    /** {@code connection_established} came on {@code ws}. */
    private void established(WebSocket ws) {
        if (ws == socket) {
            subscribe(ws);
        } else {
            establishedEarly = ws;
        }
    }

    private void subscribe(WebSocket ws) {
        send(ws, "{\"type\":\"subscribe\",\"channel\":\"" + Demo.CHANNEL + "\"}");
    }

    /** Sends {@code text} after what was sent before (the JDK socket takes one send at a time). */
    private void send(WebSocket ws, String text) {
        if (ws == socket) {
            sending = sending.thenCompose(w -> w.sendText(text, true));
        }
    }

    private void leave(WebSocket ws) {
        if (ws == socket) {
            sending = sending.thenCompose(w -> w.sendClose(NORMAL, "demo client leaves"));
            traffic.later(
                    () -> {
                        if (ws == socket) { // the node did not answer the close
                            ws.abort();
                            ended(ws, NORMAL, "");
                        }
                    },
                    5000);
        }
    }

    /** {@code ws} ended with {@code code} and {@code reason} (1006 when the connection broke). */
    private void ended(WebSocket ws, int code, String reason) {
        if (ws != socket) {
            return;
        }
        socket = null;
        pinger.cancel(false);
        if (over || traffic.closed() || code == RefusalCode.SERVER_SHUTTING_DOWN.closeCode()) {
            over = true;
            return;
        }
        if (code == NORMAL) {
            traffic.later(this::connect, BACK_AFTER_LEAVING_MILLIS);
            return;
        }
        ClientAction action =
                RefusalCode.fromName(reason).map(RefusalCode::clientAction).orElse(ClientAction.RETRY);
        switch (action) {
            case RETRY -> traffic.later(this::connect, RETRY_MILLIS);
            case REFRESH_THEN_RETRY, LOG_IN -> {
                token = null; // the demo "logs in" again: a new token
                traffic.later(this::connect, RETRY_MILLIS);
            }
            case STOP -> {
                token = null; // another client takes the place later
                traffic.later(this::connect, AWAY_AFTER_STOP_MILLIS);
            }
        }
    }

    /** Closes the socket for good (the traffic's timer has stopped: this runs on the closing thread). */
    void leaveForGood() {
        over = true;
        WebSocket ws = socket;
        if (ws != null) {
            sending.handle((w, e) -> ws.sendClose(NORMAL, "demo stopped"));
        }
    }

    /** Waits until the node answered the close, at most until {@code deadline} (nanoTime); then drops the connection. */
    void awaitClosed(long deadline) {
        WebSocket ws = socket;
        if (ws == null) {
            return;
        }
        while (!ws.isInputClosed() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        ws.abort();
    }

    private void onTimer(Runnable r) {
        traffic.later(r, 0);
    }

    /** Answers the node's messages: subscribes once {@code connection_established} has come. */
    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                if ("connection_established".equals(type(text))) {
                    onTimer(() -> established(ws));
                }
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
            onTimer(() -> ended(ws, code, reason));
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            onTimer(() -> ended(ws, 1006, ""));
        }
    }

    private static String type(String text) {
        try {
            JsonNode node = JSON.readTree(text);
            return node.path("type").asText();
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
