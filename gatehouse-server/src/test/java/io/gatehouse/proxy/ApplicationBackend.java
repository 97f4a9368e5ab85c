package io.gatehouse.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.gatehouse.hooks.WebhookSignature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * An application's proxy endpoint on 127.0.0.1 (a JDK HttpServer), checking each call the way
 * docs/integrations.md tells applications to: any {@code v1=} of the Gatehouse-Signature header
 * must match one of the secrets it knows, over {@code t + "." + raw body}, with {@code t} within 5
 * minutes. It answers what {@link #decide} says, after {@link #delayMillis}.
 */
final class ApplicationBackend implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    /** What to answer: a status and a JSON body. */
    record Answer(int status, String body) {
        static Answer allow() {
            return new Answer(200, "{\"allow\":true}");
        }

        static Answer deny(String reason) {
            return new Answer(200, "{\"allow\":false,\"reason\":" + JSON.valueToTree(reason) + "}");
        }
    }

    private final List<String> secrets;
    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    volatile Function<JsonNode, Answer> decide = call -> Answer.allow();
    volatile long delayMillis;
    /** Every call whose signature held, as sent. */
    final List<JsonNode> calls = new CopyOnWriteArrayList<>();
    /** Calls whose signature did not hold (answered 401). */
    final AtomicInteger forged = new AtomicInteger();
    /** Calls being answered right now, and the most there ever were. */
    final AtomicInteger underWay = new AtomicInteger();

    final AtomicInteger mostUnderWay = new AtomicInteger();

    ApplicationBackend(String... secrets) {
        this.secrets = List.of(secrets);
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 200);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/gatehouse/proxy", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/gatehouse/proxy";
    }

    /** The calls of {@code action} ("subscribe" or "publish"). */
    List<JsonNode> calls(String action) {
        List<JsonNode> out = new ArrayList<>();
        calls.forEach(c -> {
            if (c.path("action").asText().equals(action)) {
                out.add(c);
            }
        });
        return out;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            int now = underWay.incrementAndGet();
            mostUnderWay.accumulateAndGet(now, Math::max);
            try {
                byte[] body = exchange.getRequestBody().readAllBytes();
                if (!verified(exchange.getRequestHeaders().getFirst(WebhookSignature.HEADER), body)) {
                    forged.incrementAndGet();
                    exchange.sendResponseHeaders(401, -1);
                    return;
                }
                JsonNode call = JSON.readTree(body);
                calls.add(call);
                if (delayMillis > 0) {
                    Thread.sleep(delayMillis);
                }
                Answer a = decide.apply(call);
                byte[] out = a.body().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(a.status(), out.length);
                exchange.getResponseBody().write(out);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                underWay.decrementAndGet();
            }
        }
    }

    /** docs/integrations.md's check: t within 5 minutes, and some v1 equal to the HMAC under a known secret. */
    private boolean verified(String header, byte[] body) {
        if (header == null) {
            return false;
        }
        long t = -1;
        List<String> signatures = new ArrayList<>();
        for (String part : header.split(",")) {
            String[] kv = part.trim().split("=", 2);
            if (kv.length == 2 && kv[0].equals("t")) {
                t = Long.parseLong(kv[1]);
            } else if (kv.length == 2 && kv[0].equals("v1")) {
                signatures.add(kv[1]);
            }
        }
        if (Math.abs(Instant.now().getEpochSecond() - t) > 300) {
            return false;
        }
        String text = new String(body, StandardCharsets.UTF_8);
        for (String secret : secrets) {
            byte[] expected = WebhookSignature.v1(secret, t, text).getBytes(StandardCharsets.US_ASCII);
            for (String s : signatures) {
                if (MessageDigest.isEqual(expected, s.getBytes(StandardCharsets.US_ASCII))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Stops listening: calls find nothing there. */
    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
