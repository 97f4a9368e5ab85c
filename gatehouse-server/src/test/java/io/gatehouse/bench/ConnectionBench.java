package io.gatehouse.bench;

import io.gatehouse.testing.Jwts;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Load for docs/benchmarks.md, sent only to loopback and bounded in count and time:
 * {@code upgrades URL THREADS COUNT} measures authenticated (HS256) upgrades per second, each
 * upgrade waiting for {@code connection_established}; {@code idle URL COUNT HOLD_SECONDS} opens COUNT
 * authenticated connections from source addresses 127.0.0.2-127.0.0.17 and holds them.
 * The server must share {@link io.gatehouse.testing.TestGatehouse#SECRET} (GATEHOUSE_AUTH_JWT_SECRET).
 */
public final class ConnectionBench {
    private ConnectionBench() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        java.net.URI uri = java.net.URI.create(args[1]);
        if (!InetAddress.getByName(uri.getHost()).isLoopbackAddress()) {
            throw new IllegalArgumentException("benchmarks only target loopback");
        }
        if (mode.equals("upgrades")) {
            upgrades(uri, Integer.parseInt(args[2]), Integer.parseInt(args[3]));
        } else {
            idle(uri, Integer.parseInt(args[2]), Integer.parseInt(args[3]));
        }
    }

    static void upgrades(java.net.URI uri, int threads, int count) throws Exception {
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            tokens.add(Jwts.hs256For("bench" + i));
        }
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long start = System.nanoTime();
        List<Future<?>> work = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            work.add(pool.submit(() -> {
                int i;
                while ((i = next.getAndIncrement()) < count) {
                    try (Socket s = open(uri, tokens.get(i), InetAddress.getLoopbackAddress())) {
                        // opened and greeted
                    } catch (Exception e) {
                        failed.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : work) {
            f.get(10, TimeUnit.MINUTES);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        System.out.printf("upgrades: %d in %.2f s = %.0f per second, %d failed (%d client threads)%n",
                count, seconds, count / seconds, failed.get(), threads);
    }

    static void idle(java.net.URI uri, int count, int holdSeconds) throws Exception {
        List<Socket> open = new ArrayList<>();
        long start = System.nanoTime();
        int failed = 0;
        for (int i = 0; i < count; i++) {
            InetAddress source = InetAddress.getByName("127.0.0." + (2 + i % 16));
            try {
                open.add(open(uri, Jwts.hs256For("idle" + i), source));
            } catch (Exception e) {
                failed++;
            }
        }
        System.out.printf("idle: %d connections open (%d failed) after %.1f s; holding %d s%n",
                open.size(), failed, (System.nanoTime() - start) / 1e9, holdSeconds);
        System.out.flush();
        Thread.sleep(holdSeconds * 1000L);
        for (Socket s : open) {
            s.close();
        }
    }

    /** Upgrades with a bearer token and reads up to the connection_established frame. */
    static Socket open(java.net.URI uri, String token, InetAddress source) throws Exception {
        Socket s = new Socket(InetAddress.getByName(uri.getHost()), uri.getPort(), source, 0);
        s.setSoTimeout(30_000);
        OutputStream out = s.getOutputStream();
        out.write(("GET /ws HTTP/1.1\r\nHost: " + uri.getHost() + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer " + token
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = s.getInputStream();
        byte[] buf = new byte[4096];
        int total = 0;
        String seen = "";
        while (!seen.contains("connection_established")) {
            int n = in.read(buf, 0, buf.length);
            if (n < 0) {
                s.close();
                throw new java.io.IOException("closed before connection_established: " + seen);
            }
            total += n;
            seen = seen + new String(buf, 0, n, StandardCharsets.ISO_8859_1);
            if (!seen.startsWith("HTTP/1.1 101")) {
                s.close();
                throw new java.io.IOException("refused: " + seen.lines().findFirst().orElse(""));
            }
        }
        return s;
    }
}
