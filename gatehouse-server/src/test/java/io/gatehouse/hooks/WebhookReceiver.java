package io.gatehouse.hooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * An application's webhook endpoint on 127.0.0.1: checks each delivery the way docs/webhooks.md
 * tells receivers to (signature over {@code t + "." + raw body}, any of its {@code v1}s, constant-time compare, timestamps
 * older than 5 minutes refused), de-duplicates by event id, and answers {@link #answer} (200 when
 * up). It can stop listening and start again on the same port.
 */
final class WebhookReceiver implements AutoCloseable {
    static final long TOLERANCE_SECONDS = 300;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String secret;
    private int port;
    private HttpServer server;
    volatile int answer = 200;
    /** How long each delivery is held before it is answered: a slow backend. */
    volatile long delayMillis;

    /** Verified events by id, the first copy of each. */
    final Map<String, JsonNode> events = new ConcurrentHashMap<>();
    /** Verified event ids in arrival order, repeats included. */
    final List<String> arrivals = new CopyOnWriteArrayList<>();
    /** Deliveries whose signature or timestamp did not pass. */
    final AtomicInteger rejected = new AtomicInteger();
    /** Deliveries answered with something other than 2xx while {@link #answer} said so. */
    final AtomicInteger refused = new AtomicInteger();
    /** Every delivery as it came: its Gatehouse-Signature header and raw body. */
    final List<Delivery> raw = new CopyOnWriteArrayList<>();

    record Delivery(String signature, byte[] body) {}

    /** Request headers that were not as documented (Content-Type, Gatehouse-Event-Id). */
    final List<String> problems = new CopyOnWriteArrayList<>();

    WebhookReceiver(String secret) {
        this.secret = secret;
        start();
        this.port = server.getAddress().getPort();
    }

    String url() {
        return "http://127.0.0.1:" + port + "/hooks";
    }

    /** Listens (again) on the receiver's port. */
    void start() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/hooks", this::handle);
        server.start();
    }

    /** Stops listening: connections are refused until {@link #start}. */
    void stop() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (delayMillis > 0) {
                try {
                    Thread.sleep(delayMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            String signature = exchange.getRequestHeaders().getFirst("Gatehouse-Signature");
            raw.add(new Delivery(signature, body));
            if (!verified(signature, body)) {
                rejected.incrementAndGet();
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            if (answer / 100 != 2) {
                refused.incrementAndGet();
                exchange.sendResponseHeaders(answer, -1);
                return;
            }
            JsonNode event = JSON.readTree(body);
            String id = event.path("id").asText();
            if (!"application/json".equals(exchange.getRequestHeaders().getFirst("Content-Type"))) {
                problems.add("Content-Type " + exchange.getRequestHeaders().getFirst("Content-Type"));
            }
            if (!id.equals(exchange.getRequestHeaders().getFirst("Gatehouse-Event-Id"))) {
                problems.add(
                        "Gatehouse-Event-Id " + exchange.getRequestHeaders().getFirst("Gatehouse-Event-Id"));
            }
            arrivals.add(id);
            events.putIfAbsent(id, event); // de-duplication by id
            exchange.sendResponseHeaders(204, -1);
        }
    }

    /** The check of docs/webhooks.md, step by step. */
    boolean verified(String header, byte[] body) {
        if (header == null) {
            return false;
        }
        Map<String, String> parts = new HashMap<>();
        List<String> signatures = new java.util.ArrayList<>();
        for (String part : header.split(",")) {
            String[] kv = part.split("=", 2);
            if (kv.length == 2) {
                parts.put(kv[0].trim(), kv[1].trim());
                if (kv[0].trim().equals("v1")) {
                    signatures.add(kv[1].trim());
                }
            }
        }
        long t;
        try {
            t = Long.parseLong(parts.getOrDefault("t", ""));
        } catch (NumberFormatException e) {
            return false;
        }
        if (Math.abs(Instant.now().getEpochSecond() - t) > TOLERANCE_SECONDS) {
            return false;
        }
        String expected = hmacHex(secret, (t + ".").getBytes(StandardCharsets.UTF_8), body);
        // Any v1 may be the one: during a rotation there is one per secret (docs/webhooks.md).
        return signatures.stream()
                .anyMatch(v1 -> MessageDigest.isEqual(
                        expected.getBytes(StandardCharsets.US_ASCII), v1.getBytes(StandardCharsets.US_ASCII)));
    }

    static String hmacHex(String secret, byte[] prefix, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update(prefix);
            return java.util.HexFormat.of().formatHex(mac.doFinal(body));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Verified events of {@code type}, one per id. */
    List<JsonNode> ofType(String type) {
        return events.values().stream()
                .filter(e -> e.path("type").asText().equals(type))
                .toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
