package io.gatehouse.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The hooks scenario's webhook receiver: the JDK's HTTP server on 127.0.0.1, {@link #PATH}, a few
 * threads. It checks each delivery as docs/webhooks.md tells a backend to ({@code Gatehouse-Signature:
 * t=UNIX,v1=HEX(HMAC-SHA256(secret, t + "." + body))}, {@code t} within 5 minutes, the comparison in
 * constant time) and answers 400 to a bad one, which it counts (and to a body that is not JSON);
 * otherwise 204. Events whose
 * {@code data.user_id} starts with this run's prefix are this run's: de-duplicated by id, timed from
 * their {@code created_at} to arrival; the others are only counted.
 */
final class HookReceiver implements AutoCloseable {
    static final String PATH = "/hook";
    static final String SIGNATURE_HEADER = "Gatehouse-Signature";
    static final Duration SIGNATURE_TOLERANCE = Duration.ofMinutes(5);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService threads;
    private final SecretKeySpec key;
    private final String userPrefix;
    private final ThreadLocal<Mac> macs;

    private final Set<String> ids = ConcurrentHashMap.newKeySet();
    private final LatencyRecorder lag = new LatencyRecorder();
    private final LongAdder duplicates = new LongAdder();
    private final LongAdder badSignatures = new LongAdder();
    private final LongAdder other = new LongAdder();
    private final LongAdder unreadable = new LongAdder();
    private final Map<String, LongAdder> byType = new ConcurrentHashMap<>();
    private final AtomicLong firstNanos = new AtomicLong();
    private final AtomicLong lastNanos = new AtomicLong();

    /**
     * Listens on 127.0.0.1:{@code port}.
     *
     * @param userPrefix the user ids of this run's connections start with it
     * @throws IOException when the port cannot be bound
     */
    HookReceiver(int port, String secret, int threadCount, String userPrefix) throws IOException {
        this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
        this.userPrefix = userPrefix;
        this.macs = ThreadLocal.withInitial(this::newMac);
        newMac(); // fails here, not on a request, if the JDK had no HmacSHA256
        AtomicInteger n = new AtomicInteger();
        this.threads = Executors.newFixedThreadPool(threadCount, r -> {
            Thread t = new Thread(r, "bench-hook-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
        server.createContext(PATH, this::handle);
        server.setExecutor(threads);
        server.start();
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange;
                InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readAllBytes();
            long receivedNanos = System.nanoTime();
            Instant receivedAt = Instant.now();
            if (!"POST".equals(exchange.getRequestMethod())
                    || !signed(exchange.getRequestHeaders().getFirst(SIGNATURE_HEADER), body, receivedAt)) {
                badSignatures.increment();
                exchange.sendResponseHeaders(400, -1);
                return;
            }
            try {
                record(body, receivedNanos, receivedAt);
            } catch (JsonProcessingException e) {
                unreadable.increment();
                exchange.sendResponseHeaders(400, -1);
                return;
            }
            exchange.sendResponseHeaders(204, -1);
        }
    }

    /** The documented check: t and v1 from the header, t within the tolerance, v1 the HMAC of t.body. */
    boolean signed(String header, byte[] body, Instant now) {
        if (header == null) {
            return false;
        }
        String t = null;
        String v1 = null;
        for (String part : header.split(",")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                String name = part.substring(0, eq).trim();
                if (name.equals("t")) {
                    t = part.substring(eq + 1).trim();
                } else if (name.equals("v1")) {
                    v1 = part.substring(eq + 1).trim();
                }
            }
        }
        if (t == null
                || v1 == null
                || t.isEmpty()
                || t.length() > 18
                || !t.chars().allMatch(Character::isDigit)) {
            return false;
        }
        if (Math.abs(now.getEpochSecond() - Long.parseLong(t)) > SIGNATURE_TOLERANCE.toSeconds()) {
            return false;
        }
        Mac mac = macs.get();
        mac.update((t + ".").getBytes(StandardCharsets.US_ASCII));
        byte[] expected = HexFormat.of().formatHex(mac.doFinal(body)).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, v1.getBytes(StandardCharsets.US_ASCII));
    }

    private void record(byte[] body, long receivedNanos, Instant receivedAt) throws IOException {
        JsonNode event = JSON.readTree(body);
        String id = event.path("id").asText("");
        String userId = event.path("data").path("user_id").asText("");
        if (!userId.startsWith(userPrefix)) {
            other.increment();
            return;
        }
        if (!ids.add(id)) {
            duplicates.increment();
            return;
        }
        byType.computeIfAbsent(event.path("type").asText("?"), k -> new LongAdder())
                .increment();
        try {
            Instant created = Instant.parse(event.path("created_at").asText(""));
            lag.record(Duration.between(created, receivedAt).toNanos());
        } catch (DateTimeParseException e) {
            // counted, not timed
        }
        firstNanos.accumulateAndGet(receivedNanos, (a, b) -> a == 0 ? b : Math.min(a, b));
        lastNanos.accumulateAndGet(receivedNanos, Math::max);
    }

    /** Events of this run received, each once. */
    long received() {
        return ids.size();
    }

    long duplicates() {
        return duplicates.sum();
    }

    long badSignatures() {
        return badSignatures.sum();
    }

    long other() {
        return other.sum();
    }

    /** Signed deliveries whose body was not JSON. */
    long unreadable() {
        return unreadable.sum();
    }

    Map<String, Long> byType() {
        Map<String, Long> out = new TreeMap<>();
        byType.forEach((type, n) -> out.put(type, n.sum()));
        return out;
    }

    /** When the first and the last event of this run arrived ({@code System.nanoTime()}), 0 before any. */
    long firstNanos() {
        return firstNanos.get();
    }

    long lastNanos() {
        return lastNanos.get();
    }

    Percentiles lag() {
        return lag.percentiles();
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
        try {
            threads.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
