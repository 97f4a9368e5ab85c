package io.gatehouse.auth;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An application backend for introspection tests: a real HTTP server on a free loopback port that
 * answers {@code GET /me} with what a test scripted for each token and counts the calls it got.
 * A token nobody scripted gets 401, as DRF answers an unknown token.
 */
final class IntrospectionBackend implements AutoCloseable {
    static final String PATH = "/me";

    /**
     * What the backend answers for one token: status, JSON body, how long it waits first, and
     * (unless null) a latch it waits for before that, for as long as the test holds it.
     */
    record Answer(int status, String body, Duration delay, CountDownLatch held) {}

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool(); // slow answers must not queue others
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> callsByToken = new ConcurrentHashMap<>();
    private final AtomicInteger calls = new AtomicInteger();
    private final List<String> authorizationHeaders = new CopyOnWriteArrayList<>();

    private IntrospectionBackend(HttpServer server) {
        this.server = server;
    }

    static IntrospectionBackend start() {
        try {
            HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            IntrospectionBackend backend = new IntrospectionBackend(http);
            http.createContext(PATH, backend::handle);
            http.setExecutor(backend.threads);
            http.start();
            return backend;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A loopback URL where nothing listens: the port was free a moment ago. */
    static String deadUrl() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return "http://127.0.0.1:" + s.getLocalPort() + PATH;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + PATH;
    }

    IntrospectionBackend answer(String token, int status, String body) {
        return answer(token, status, body, Duration.ZERO);
    }

    IntrospectionBackend answer(String token, int status, String body, Duration delay) {
        answers.put(token, new Answer(status, body, delay, null));
        return this;
    }

    /**
     * Answers {@code token} only once the returned latch is counted down: a backend slower than
     * any wall-clock bound, so a test can show that something did not wait for it without timing
     * it. Unreleased answers end when the backend closes.
     */
    CountDownLatch answerWhenReleased(String token, int status, String body) {
        CountDownLatch held = new CountDownLatch(1);
        answers.put(token, new Answer(status, body, Duration.ZERO, held));
        return held;
    }

    /** Calls for {@code token}, whatever scheme carried it. */
    int calls(String token) {
        AtomicInteger n = callsByToken.get(token);
        return n == null ? 0 : n.get();
    }

    int calls() {
        return calls.get();
    }

    /** Every Authorization header received, in order. */
    List<String> authorizationHeaders() {
        return authorizationHeaders;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            authorizationHeaders.add(String.valueOf(authorization));
            String token = authorization == null ? "" : authorization.substring(authorization.indexOf(' ') + 1);
            calls.incrementAndGet();
            callsByToken.computeIfAbsent(token, t -> new AtomicInteger()).incrementAndGet();
            Answer a = answers.getOrDefault(
                    token, new Answer(401, "{\"detail\":\"Invalid token.\"}", Duration.ZERO, null));
            try {
                if (a.held() != null) {
                    a.held().await(); // until the test releases it (or the backend closes)
                }
                if (!a.delay().isZero()) {
                    Thread.sleep(a.delay().toMillis()); // the backend being slow is the point
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            byte[] body = a.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(a.status(), body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                exchange.getResponseBody().write(body);
            }
        } catch (IOException clientGone) {
            // the verifier gave up (timeout) and closed the connection: expected in timeout tests
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
