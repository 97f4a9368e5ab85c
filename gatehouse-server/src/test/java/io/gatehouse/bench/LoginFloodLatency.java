package io.gatehouse.bench;

import io.gatehouse.config.ConfigKey;
import io.gatehouse.testing.TestGatehouse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Issue 10 point 7, measured: how long a valid opaque-token check ({@code GET /api/v1/auth/verify}
 * with a {@code ght_} token) takes while {@code --logins} wrong password logins arrive at once, each
 * from its own loopback source address (127.0.0.2, 127.0.0.3, ... 127.0.3.235 for 1,000), each for
 * its own user name (so neither the per-IP nor the per-account limit stops them: only Argon2's own
 * executor keeps the pool free). Not a test: a program, run by hand (docs/benchmarks.md):
 *
 * <pre>
 * mvn -o -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp target/test-classes:target/classes:$(cat target/cp.txt) io.gatehouse.bench.LoginFloodLatency [--logins 1000]
 * </pre>
 *
 * It starts a server in this JVM (embedded H2, the default limits for upgrades and failures),
 * measures the check alone ({@code --baseline} samples), then during the flood, one check every
 * {@code --interval-ms} (20) from 127.0.0.1, open loop (each on time, whatever the earlier ones do), and prints median, p99 and max of
 * each phase and the flood's answers by status.
 */
public final class LoginFloodLatency {
    private LoginFloodLatency() {
    }

    public static void main(String[] args) throws Exception {
        int logins = intArg(args, "--logins", 1000);
        int baseline = intArg(args, "--baseline", 200);
        int intervalMs = intArg(args, "--interval-ms", 20);
        try (TestGatehouse server = new TestGatehouse()
                .with(ConfigKey.LIMITS_UPGRADES_PER_IP.key(), Map.of("rate", 10, "burst", 5)) // the defaults
                .with(ConfigKey.LIMITS_AUTH_FAILURES_PER_IP.key(), Map.of("rate", 0.2, "burst", 20))
                .start()) {
            String token = server.opaqueToken("alice");
            server.user("victim", "correct horse battery", false);
            URI verify = URI.create(server.url() + "/api/v1/auth/verify");
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpRequest check = HttpRequest.newBuilder(verify).header("Authorization", "Bearer " + token)
                    .timeout(Duration.ofSeconds(600)).GET().build();

            for (int i = 0; i < 50; i++) {
                timedCheck(http, check); // warm-up
            }
            List<Long> quiet = new ArrayList<>();
            for (int i = 0; i < baseline; i++) {
                quiet.add(timedCheck(http, check));
                Thread.sleep(intervalMs);
            }

            Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
            CountDownLatch ready = new CountDownLatch(logins);
            CountDownLatch go = new CountDownLatch(1);
            CountDownLatch done = new CountDownLatch(logins);
            int port = server.gatehouse().port();
            for (int i = 0; i < logins; i++) {
                InetAddress source = loopbackSource(i);
                String body = "{\"username\":\"user-" + i + "\",\"password\":\"wrong-password-" + i + "\"}";
                Thread t = new Thread(() -> {
                    ready.countDown();
                    int status;
                    try {
                        go.await();
                        status = login(source, port, body);
                    } catch (IOException | InterruptedException e) {
                        status = -1;
                    }
                    statuses.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
                    done.countDown();
                }, "flood-" + i);
                t.setDaemon(true);
                t.start();
            }
            ready.await();
            long floodStart = System.nanoTime();
            go.countDown();
            // Open loop: one check every interval whatever the previous one is doing, so that a
            // stalled check does not hide the ones that would have stalled behind it.
            List<Long> flooded = Collections.synchronizedList(new ArrayList<>());
            List<java.util.concurrent.CompletableFuture<?>> checks = new ArrayList<>();
            while (done.getCount() > 0) {
                long sent = System.nanoTime();
                checks.add(http.sendAsync(check, HttpResponse.BodyHandlers.ofString()).thenAccept(r -> {
                    if (r.statusCode() != 200) {
                        throw new IllegalStateException("the valid token was refused: " + r.statusCode() + " " + r.body());
                    }
                    flooded.add((System.nanoTime() - sent) / 1000);
                }));
                Thread.sleep(intervalMs);
            }
            java.util.concurrent.CompletableFuture.allOf(checks.toArray(java.util.concurrent.CompletableFuture[]::new)).join();
            long floodMillis = (System.nanoTime() - floodStart) / 1_000_000;

            System.out.printf("logins=%d from %d source addresses, flood lasted %d ms, answers by status %s%n",
                    logins, logins, floodMillis, new TreeMap<>(statuses));
            System.out.println("verify alone:        " + summary(quiet));
            System.out.println("verify during flood: " + summary(flooded));
        }
    }

    /** 127.0.0.2, 127.0.0.3, ..., 127.0.0.255, 127.0.1.0, ...: one address per login. */
    static InetAddress loopbackSource(int i) throws IOException {
        int n = i + 2;
        return InetAddress.getByAddress(new byte[] {127, 0, (byte) (n >> 8), (byte) n});
    }

    /** One login over a fresh socket bound to {@code source}; the HTTP status, or -1. */
    private static int login(InetAddress source, int port, String body) throws IOException {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(source, 0));
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
            s.setSoTimeout(120_000);
            byte[] json = body.getBytes(StandardCharsets.UTF_8);
            OutputStream out = s.getOutputStream();
            out.write(("POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1:" + port
                    + "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " + json.length
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(json);
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0 && b != '\n') {
                head.write(b);
            }
            String statusLine = head.toString(StandardCharsets.US_ASCII);
            String[] parts = statusLine.split(" ");
            return parts.length >= 2 ? Integer.parseInt(parts[1]) : -1;
        }
    }

    private static long timedCheck(HttpClient http, HttpRequest check) throws IOException, InterruptedException {
        long start = System.nanoTime();
        HttpResponse<String> r = http.send(check, HttpResponse.BodyHandlers.ofString());
        long micros = (System.nanoTime() - start) / 1000;
        if (r.statusCode() != 200) {
            throw new IllegalStateException("the valid token was refused: " + r.statusCode() + " " + r.body());
        }
        return micros;
    }

    private static String summary(List<Long> micros) {
        List<Long> sorted = new ArrayList<>(micros);
        Collections.sort(sorted);
        if (sorted.isEmpty()) {
            return "no samples";
        }
        return String.format("n=%d median=%.1f ms p99=%.1f ms max=%.1f ms", sorted.size(), ms(percentile(sorted, 50)),
                ms(percentile(sorted, 99)), ms(sorted.get(sorted.size() - 1)));
    }

    private static long percentile(List<Long> sorted, double p) {
        int index = (int) Math.ceil(p / 100 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    private static double ms(long micros) {
        return micros / 1000.0;
    }

    private static int intArg(String[] args, String name, int fallback) {
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return Integer.parseInt(args[i + 1]);
            }
        }
        return fallback;
    }
}
