package io.gatehouse.auth;

import io.gatehouse.config.ConfigKey;
import io.gatehouse.testing.TestGatehouse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Issue 10 point 7, measured: how long a valid opaque-token check ({@code GET /api/v1/auth/verify}
 * with a {@code ght_} token) takes while {@code --logins} wrong password logins arrive at once, each
 * from its own loopback source address (127.0.0.2, 127.0.0.3, ... 127.0.3.235 for 1,000), each for
 * its own user name, all at once over non-blocking sockets of one client thread (so neither the per-IP nor the per-account limit stops them: only Argon2's own
 * executor keeps the pool free). Not a test: a program, run by hand (docs/benchmarks.md):
 *
 * <pre>
 * mvn -o -q test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp target/test-classes:target/classes:$(cat target/cp.txt) io.gatehouse.auth.LoginFloodLatency \
 *     [--logins 1000] [--per-second 0 (all at once)] [--warmup-logins 200] [--interval-ms 20] [-Dflood.path=/api/v1/auth/login]
 * </pre>
 *
 * It starts a server in this JVM (embedded H2, the default limits for upgrades and failures),
 * measures the check alone ({@code --baseline} samples), then during the flood, one check every
 * {@code --interval-ms} (20) from 127.0.0.1, open loop (each on time, whatever the earlier ones do), and prints median, p99 and max of
 * each phase and the flood's answers by status.
 */
public final class LoginFloodLatency {
    private LoginFloodLatency() {}

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
            HttpClient http =
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpRequest check = HttpRequest.newBuilder(verify)
                    .header("Authorization", "Bearer " + token)
                    .timeout(Duration.ofSeconds(600))
                    .GET()
                    .build();

            for (int i = 0; i < 50; i++) {
                timedCheck(http, check); // warm-up
            }
            int warmupLogins = intArg(args, "--warmup-logins", 200);
            if (warmupLogins > 0) {
                // A server that has run a while: the login and refusal paths compiled, the pools started.
                Flood warmup = new Flood(warmupLogins, server.gatehouse().port(), 2000, 0);
                warmup.run();
                System.out.println(
                        "warm-up flood of " + warmupLogins + ": answers by status " + new TreeMap<>(warmup.statuses));
                Thread.sleep(5000);
            }
            List<Long> quiet = new ArrayList<>();
            for (int i = 0; i < baseline; i++) {
                quiet.add(timedCheck(http, check));
                Thread.sleep(intervalMs);
            }

            int port = server.gatehouse().port();
            // The flood runs on one thread of its own (non-blocking sockets), as attackers on other
            // machines would cost this process nothing but the requests themselves.
            Flood flood = new Flood(logins, port, 0, intArg(args, "--per-second", 0));
            Thread floodThread = new Thread(flood, "flood");
            floodThread.setDaemon(true);
            CountDownLatch done = flood.done;
            long floodStart = System.nanoTime();
            // Open loop: one check due every interval whatever the earlier ones do, so that a
            // stalled check does not hide the ones that would have queued behind it; each check is
            // timed from when it was due. Checks go over keep-alive connections opened before the
            // flood (one per checker thread), so a check measures the server, not TCP's accept queue.
            List<Long> flooded = Collections.synchronizedList(new ArrayList<>());
            List<long[]> slowest =
                    Collections.synchronizedList(new ArrayList<>()); // {ms after the flood began, latency µs}
            Checkers checkers = new Checkers(port, token, CHECKERS, (due, micros) -> {
                flooded.add(micros);
                slowest.add(new long[] {(due - floodStart) / 1_000_000, micros});
            });
            System.out.println("verify alone:        " + summary(quiet) + "; flood starting");
            floodThread.start();
            while (done.getCount() > 0) {
                checkers.due(System.nanoTime());
                Thread.sleep(intervalMs);
            }
            checkers.finish();
            long floodMillis = (System.nanoTime() - floodStart) / 1_000_000;

            System.out.printf(
                    "logins=%d from %d source addresses, flood lasted %d ms, answers by status %s%n",
                    logins, logins, floodMillis, new TreeMap<>(flood.statuses));
            System.out.println("(flood started "
                    + (intArg(args, "--per-second", 0) == 0
                            ? "all at once"
                            : intArg(args, "--per-second", 0) + " logins a second")
                    + ", to " + System.getProperty("flood.path", "/api/v1/auth/login") + ")");
            System.out.println("verify during flood: " + summary(flooded));
            slowest.sort((a, b) -> Long.compare(b[1], a[1]));
            StringBuilder worst = new StringBuilder("slowest checks (sent at ms after the flood began: latency ms):");
            slowest.stream().limit(8).forEach(w -> worst.append(String.format(" %d:%.0f", w[0], w[1] / 1000.0)));
            System.out.println(worst);
        }
    }

    /** 127.0.0.2, 127.0.0.3, ..., 127.0.0.255, 127.0.1.0, ...: one address per login. */
    static InetAddress loopbackSource(int i) throws IOException {
        int n = i + 2;
        return InetAddress.getByAddress(new byte[] {127, 0, (byte) (n >> 8), (byte) n});
    }

    /**
     * {@code logins} wrong-password logins, all started at once, each over its own non-blocking
     * socket bound to its own loopback source address and for its own user name; counts the
     * answers by HTTP status (-1: no answer).
     */
    static final class Flood implements Runnable {
        final Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        final CountDownLatch done;
        private final int logins;
        private final int port;

        private final int firstSource;
        private final long perSecond;

        /**
         * @param firstSource the index of the first source address and user name
         * @param perSecond logins started a second; 0 for all at once
         */
        Flood(int logins, int port, int firstSource, long perSecond) {
            this.logins = logins;
            this.port = port;
            this.firstSource = firstSource;
            this.perSecond = perSecond;
            this.done = new CountDownLatch(logins);
        }

        private static final class Login {
            final ByteBuffer request;
            final ByteArrayOutputStream answer = new ByteArrayOutputStream();

            Login(ByteBuffer request) {
                this.request = request;
            }
        }

        @Override
        public void run() {
            try (Selector selector = Selector.open()) {
                InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
                long started = System.nanoTime();
                int opened = 0;
                ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(15);
                while (done.getCount() > 0 && System.nanoTime() < deadline) {
                    // All at once, or perSecond logins a second.
                    long due = perSecond <= 0
                            ? logins
                            : Math.min(logins, (System.nanoTime() - started) * perSecond / 1_000_000_000L + 1);
                    for (; opened < due; opened++) {
                        open(selector, target, firstSource + opened);
                    }
                    selector.select(opened < logins ? 5 : 1000);
                    for (var it = selector.selectedKeys().iterator(); it.hasNext(); ) {
                        SelectionKey key = it.next();
                        it.remove();
                        SocketChannel ch = (SocketChannel) key.channel();
                        Login login = (Login) key.attachment();
                        try {
                            if (key.isConnectable() && ch.finishConnect()) {
                                key.interestOps(SelectionKey.OP_WRITE);
                            } else if (key.isWritable()) {
                                ch.write(login.request);
                                if (!login.request.hasRemaining()) {
                                    key.interestOps(SelectionKey.OP_READ);
                                }
                            } else if (key.isReadable()) {
                                buffer.clear();
                                int n = ch.read(buffer);
                                if (n > 0) {
                                    login.answer.write(buffer.array(), 0, n);
                                } else if (n < 0) {
                                    finish(key, status(login.answer.toString(StandardCharsets.US_ASCII)));
                                }
                            }
                        } catch (IOException e) {
                            finish(key, -1);
                        }
                    }
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        private void open(Selector selector, InetSocketAddress target, int i) throws IOException {
            byte[] body = ("{\"username\":\"user-" + i + "\",\"password\":\"wrong-password-" + i + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
            byte[] head = ("POST " + System.getProperty("flood.path", "/api/v1/auth/login")
                            + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                            + "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: "
                            + body.length
                            + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            ByteBuffer request = ByteBuffer.allocate(head.length + body.length)
                    .put(head)
                    .put(body)
                    .flip();
            SocketChannel ch = SocketChannel.open();
            ch.configureBlocking(false);
            ch.bind(new InetSocketAddress(loopbackSource(i), 0));
            ch.connect(target);
            ch.register(selector, SelectionKey.OP_CONNECT, new Login(request));
        }

        private void finish(SelectionKey key, int status) {
            key.cancel();
            try {
                key.channel().close();
            } catch (IOException ignored) {
                // closing anyway
            }
            statuses.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
            done.countDown();
        }

        private static int status(String answer) {
            String[] parts = answer.split(" ", 3);
            try {
                return parts.length >= 2 ? Integer.parseInt(parts[1]) : -1;
            } catch (NumberFormatException e) {
                return -1;
            }
        }
    }

    /** Keep-alive connections opened before the flood, one per checker thread. */
    private static final int CHECKERS = 100;

    /**
     * Threads that each own one keep-alive connection and send {@code GET /api/v1/auth/verify} for
     * every check that falls due, reporting the time from due to answered.
     */
    static final class Checkers {
        private final java.util.concurrent.BlockingQueue<Long> dueTimes =
                new java.util.concurrent.LinkedBlockingQueue<>();
        private final List<Thread> threads = new ArrayList<>();
        private final java.util.concurrent.atomic.AtomicLong outstanding = new java.util.concurrent.atomic.AtomicLong();

        Checkers(int port, String token, int count, java.util.function.ObjLongConsumer<Long> record)
                throws IOException {
            byte[] request = ("GET /api/v1/auth/verify HTTP/1.1\r\nHost: 127.0.0.1:" + port
                            + "\r\nAuthorization: Bearer " + token + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < count; i++) {
                java.net.Socket socket = new java.net.Socket(InetAddress.getLoopbackAddress(), port);
                socket.setTcpNoDelay(true);
                Thread t = new Thread(
                        () -> {
                            try (socket) {
                                var in = new java.io.BufferedInputStream(socket.getInputStream());
                                var out = socket.getOutputStream();
                                while (true) {
                                    long due = dueTimes.take();
                                    out.write(request);
                                    out.flush();
                                    int status = readAnswer(in);
                                    if (status != 200) {
                                        throw new IllegalStateException("the valid token was refused: " + status);
                                    }
                                    record.accept(due, (System.nanoTime() - due) / 1000);
                                    outstanding.decrementAndGet();
                                }
                            } catch (InterruptedException | IOException stop) {
                                // finished
                            }
                        },
                        "checker-" + i);
                t.setDaemon(true);
                t.start();
                threads.add(t);
            }
        }

        void due(long nanos) {
            outstanding.incrementAndGet();
            dueTimes.add(nanos);
        }

        void finish() throws InterruptedException {
            while (outstanding.get() > 0) {
                Thread.sleep(10);
            }
            threads.forEach(Thread::interrupt);
        }

        /** Reads one HTTP response with a Content-Length; its status. */
        private static int readAnswer(java.io.InputStream in) throws IOException {
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("connection closed");
                }
                head.append((char) b);
            }
            int length = 0;
            for (String line : head.toString().split("\r\n")) {
                if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(15).trim());
                }
            }
            in.readNBytes(length);
            return Integer.parseInt(head.substring(9, 12));
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
        return String.format(
                "n=%d median=%.1f ms p99=%.1f ms max=%.1f ms",
                sorted.size(),
                ms(percentile(sorted, 50)),
                ms(percentile(sorted, 99)),
                ms(sorted.get(sorted.size() - 1)));
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
