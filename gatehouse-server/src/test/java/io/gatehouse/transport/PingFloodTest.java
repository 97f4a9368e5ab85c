package io.gatehouse.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.testing.ChildJvm;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.RawWebSocket;
import io.gatehouse.testing.TestGatehouse;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients that send ping frames as fast as they can and never read the pongs, against a server
 * in a second JVM with a small heap (which also bounds its direct memory). The message limit is
 * lifted so that only the outbound bound stands between the flood and the heap: pongs past it are
 * dropped, unauthenticated connections are cut off at 10 MiB, and {@code /health} answers during
 * and after the flood.
 */
class PingFloodTest {
    /** The flood goes on until this much is sent, or {@link #FLOOD_CAP} has passed. */
    static final long FLOOD_BYTES = 100L * 1024 * 1024;

    static final Duration FLOOD_CAP = Duration.ofSeconds(45);
    /** 512 ping frames of 125 bytes each, written at once. */
    static final byte[] PINGS = pings(512);

    static byte[] pings(int n) {
        byte[] one = RawWebSocket.frame(true, RawWebSocket.PING, "p".repeat(125).getBytes(StandardCharsets.US_ASCII));
        byte[] all = new byte[one.length * n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(one, 0, all, i * one.length, one.length);
        }
        return all;
    }

    @TempDir
    Path dir;

    @Test
    void aPingFloodThatReadsNoPongsCannotExhaustASmallHeap() throws Exception {
        ProcessBuilder pb = ChildJvm.gatehouseWithHeap(
                "64m", "serve", "--port", "0", "--data-dir", dir.resolve("data").toString());
        pb.environment().put("GATEHOUSE_AUTH_JWT_SECRET", TestGatehouse.SECRET);
        pb.environment().put("GATEHOUSE_LIMITS_MESSAGES_PER_CONNECTION", "{rate: 10000000, burst: 10000000}");
        pb.environment().put("GATEHOUSE_LIMITS_UPGRADES_PER_IP", "{rate: 100000, burst: 100000}");
        pb.environment().put("GATEHOUSE_LIMITS_UPGRADES_PER_CREDENTIAL", "{rate: 100000, burst: 100000}");
        pb.redirectError(dir.resolve("stderr.txt").toFile());
        Process server = pb.start();
        try {
            String url = listeningUrl(server);
            long rssBefore = rssKiB(server);
            URI ws = URI.create(url.replace("http://", "ws://") + "/ws");
            HttpClient http =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            List<String> healthFailures = new CopyOnWriteArrayList<>();
            AtomicLong flooded = new AtomicLong();
            long until = System.nanoTime() + FLOOD_CAP.toNanos();
            List<Thread> flooders = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                boolean authenticated = t % 2 == 0;
                int n = t;
                flooders.add(daemon(() -> flood(ws, authenticated, "flooder" + n, until, flooded)));
            }
            int polls = 0;
            long started = System.nanoTime();
            while (System.nanoTime() < until && flooded.get() < FLOOD_BYTES) {
                polls++;
                String failure = health(http, url);
                if (failure != null) {
                    healthFailures.add(failure);
                }
                Thread.sleep(200);
            }
            for (Thread f : flooders) {
                f.join(30_000); // a flooder blocked in a write ends when the server drops its socket
            }
            assertThat(java.nio.file.Files.readString(dir.resolve("stderr.txt")))
                    .doesNotContain("OutOfMemoryError");
            assertThat(healthFailures)
                    .as("/health during the flood (" + polls + " polls)")
                    .isEmpty();
            assertThat(health(http, url)).as("/health after the flood").isNull();
            assertThat(server.isAlive()).isTrue();
            assertThat(flooded.get()).as("the whole flood was sent").isGreaterThanOrEqualTo(FLOOD_BYTES);
            System.out.println("ping flood: " + flooded.get() / (1024 * 1024) + " MiB of pings in "
                    + Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms, /health answered " + polls
                    + " polls; server RSS " + rssBefore / 1024 + " MiB before, " + rssKiB(server) / 1024
                    + " MiB after");
        } finally {
            server.destroyForcibly();
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Connects again and again, sending pings without reading, until {@code until}. */
    static void flood(URI ws, boolean authenticated, String user, long until, AtomicLong flooded) {
        int round = 0;
        while (System.nanoTime() < until && flooded.get() < FLOOD_BYTES) {
            String[] headers = authenticated
                    ? new String[] {"Authorization: Bearer " + Jwts.hs256For(user + "-" + round++)}
                    : new String[0];
            try (RawWebSocket raw = RawWebSocket.connect(ws, headers)) {
                while (System.nanoTime() < until && flooded.get() < FLOOD_BYTES) {
                    raw.sendBytes(PINGS);
                    flooded.addAndGet(PINGS.length);
                }
            } catch (RuntimeException closedOrRefused) {
                // the server cut this one off: connect again
            }
        }
    }

    /** The resident set of {@code process} in KiB (Linux), or -1. */
    static long rssKiB(Process process) {
        try {
            for (String line :
                    java.nio.file.Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (java.io.IOException | NumberFormatException e) {
            // not Linux, or gone
        }
        return -1;
    }

    /** Null when GET /health answers 200 within 5 s, else what went wrong. */
    static String health(HttpClient http, String url) {
        try {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create(url + "/health"))
                            .timeout(Duration.ofSeconds(5))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? null : "status " + r.statusCode();
        } catch (Exception e) {
            return e.toString();
        }
    }

    static String listeningUrl(Process server) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            String line = out.readLine();
            if (line == null) {
                break;
            }
            if (line.startsWith("listening on ")) {
                daemon(() -> drain(out));
                return line.substring("listening on ".length());
            }
        }
        throw new AssertionError("the server did not say where it listens");
    }

    static Thread daemon(Runnable r) {
        Thread t = new Thread(r, "ping-flood");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void drain(BufferedReader out) {
        try {
            while (out.readLine() != null) {
                // keep the child's stdout from filling its pipe
            }
        } catch (java.io.IOException e) {
            // the child is gone
        }
    }
}
