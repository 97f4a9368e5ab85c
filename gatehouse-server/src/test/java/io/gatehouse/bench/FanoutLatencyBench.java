package io.gatehouse.bench;

import io.gatehouse.testing.Jwts;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Publish-to-deliver latency for docs/benchmarks.md. Starts the shaded jar's {@code serve} in a
 * child JVM on loopback (see {@link GatehouseProcess}); then, for each subscriber count, opens that
 * many authenticated WebSocket subscribers of one channel (Netty, two event-loop threads, source
 * addresses 127.0.0.2-127.0.0.17), publishes through {@code POST /api/v1/publish} at 10 per second
 * with {@code System.nanoTime()} in the data (CLOCK_MONOTONIC, shared by both JVMs on one Linux
 * host), and records receive time minus send time for every delivery after the warm-up. Each
 * subscriber must receive every measured publication; the run stops by itself.
 *
 * <pre>FanoutLatencyBench [--jar gatehouse-server/target/gatehouse.jar] [--subscribers 1000,5000]
 *     [--warmup-seconds 10] [--measure-seconds 60]</pre>
 */
public final class FanoutLatencyBench {
    private static final int PUBLICATIONS_PER_SECOND = 10;
    private static final int EVENT_LOOP_THREADS = 2;
    /** Upgrades in flight at once while subscribers connect, so none waits long enough to time out. */
    private static final int HANDSHAKES_IN_FLIGHT = 64;
    private static final int SOURCE_ADDRESSES = 16;
    private static final Duration CONNECT_TIMEOUT = Duration.ofMinutes(2);
    /** How long deliveries may trail the last publication's HTTP answer. */
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(10);
    private static final double NANOS_PER_MILLI = 1e6;

    private FanoutLatencyBench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        Path jar = Path.of(options.getOrDefault("--jar", "gatehouse-server/target/gatehouse.jar"));
        int[] sizes = Arrays.stream(options.getOrDefault("--subscribers", "1000,5000").split(","))
                .mapToInt(Integer::parseInt).toArray();
        int warmupSeconds = Integer.parseInt(options.getOrDefault("--warmup-seconds", "10"));
        int measureSeconds = Integer.parseInt(options.getOrDefault("--measure-seconds", "60"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException(jar + " not found: build it with mvn -DskipTests package, or pass --jar");
        }

        Path runDir = Files.createTempDirectory("gatehouse-fanout-");
        System.out.printf("fanout: %d cores, java %s; server log, data and histograms in %s%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), runDir);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(EVENT_LOOP_THREADS, NioIoHandler.newFactory());
        boolean allDelivered = true;
        try (GatehouseProcess server = GatehouseProcess.start(jar, runDir)) {
            System.out.printf("fanout: server pid %d at %s, RSS %d MiB at rest%n",
                    server.pid(), server.url(), server.residentMebibytes());
            Bootstrap bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class);
            for (int size : sizes) {
                allDelivered &= round(server, bootstrap, runDir, size, warmupSeconds, measureSeconds);
            }
        } finally {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).sync();
        }
        if (!allDelivered) {
            System.out.println("fanout: FAILED: some publications were lost, duplicated or refused (see above)");
            System.exit(1);
        }
    }

    /**
     * One subscriber count: connect, warm up, measure, check deliveries, print the summary line and
     * write the percentile distribution to {@code runDir/fanout-SIZE.hgrm}. Returns whether every
     * subscriber received every measured publication exactly once.
     */
    static boolean round(GatehouseProcess server, Bootstrap bootstrap, Path runDir, int size, int warmupSeconds,
            int measureSeconds) throws Exception {
        String channelName = "fanout-bench-" + size;
        int warmupPublications = warmupSeconds * PUBLICATIONS_PER_SECOND;
        int measuredPublications = measureSeconds * PUBLICATIONS_PER_SECOND;
        Recorder latencyNanos = new Recorder(3);
        CountDownLatch allReceived = new CountDownLatch(size);

        long connectStart = System.nanoTime();
        URI ws = URI.create("ws://" + server.url().getHost() + ":" + server.url().getPort() + "/ws");
        List<FanoutSubscriber> subscribers = new ArrayList<>();
        Semaphore handshakes = new Semaphore(HANDSHAKES_IN_FLIGHT);
        for (int i = 0; i < size; i++) {
            if (!handshakes.tryAcquire(CONNECT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                throw new IllegalStateException("subscribers stopped connecting after " + i + " of " + size);
            }
            FanoutSubscriber s = new FanoutSubscriber(channelName, warmupPublications, measuredPublications, latencyNanos,
                    allReceived);
            s.subscribed.whenComplete((ok, error) -> handshakes.release());
            InetAddress source = InetAddress.getByName("127.0.0." + (2 + i % SOURCE_ADDRESSES));
            connect(bootstrap, ws, source, Jwts.hs256For("fanout-" + size + "-" + i), s);
            subscribers.add(s);
        }
        try {
            CompletableFuture.allOf(subscribers.stream().map(s -> s.subscribed).toArray(CompletableFuture[]::new))
                    .get(CONNECT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(size + " subscribers did not all subscribe: " + failures(subscribers), e);
        }
        System.out.printf("fanout: %d subscribers of %s in %.1f s, server RSS %d MiB; %d s warm-up, %d s measured at %d/s%n",
                size, channelName, (System.nanoTime() - connectStart) / 1e9, server.residentMebibytes(),
                warmupSeconds, measureSeconds, PUBLICATIONS_PER_SECOND);

        CpuSample publishStart = CpuSample.take(server);
        int failedPublications = publish(server, channelName, warmupPublications, warmupPublications + measuredPublications);
        allReceived.await(DRAIN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        String cpu = CpuSample.take(server).sharesSince(publishStart);
        long rss = server.residentMebibytes();
        for (FanoutSubscriber s : subscribers) {
            s.close().await(5, TimeUnit.SECONDS);
        }

        Histogram latency = latencyNanos.getIntervalHistogram();
        long lost = (long) size * measuredPublications - subscribers.stream().mapToLong(FanoutSubscriber::received).sum();
        long duplicates = subscribers.stream().mapToLong(FanoutSubscriber::duplicates).sum();
        System.out.printf("fanout: subscribers=%d publications=%d deliveries=%d lost=%d duplicates=%d failed_publications=%d"
                + " p50=%.2fms p99=%.2fms p99.9=%.2fms max=%.2fms server_rss=%dMiB%n",
                size, measuredPublications, latency.getTotalCount(), lost, duplicates, failedPublications,
                millis(latency.getValueAtPercentile(50)), millis(latency.getValueAtPercentile(99)),
                millis(latency.getValueAtPercentile(99.9)), millis(latency.getMaxValue()), rss);
        System.out.println("fanout: while publishing, " + cpu);
        String failures = failures(subscribers);
        if (!failures.isEmpty()) {
            System.out.println("fanout: subscriber failures: " + failures);
        }
        try (PrintStream out = new PrintStream(runDir.resolve("fanout-" + size + ".hgrm").toFile())) {
            latency.outputPercentileDistribution(out, NANOS_PER_MILLI); // in milliseconds
        }
        return lost == 0 && duplicates == 0 && failedPublications == 0 && failures.isEmpty();
    }

    private static void connect(Bootstrap bootstrap, URI ws, InetAddress source, String token, FanoutSubscriber subscriber) {
        WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
                .webSocketUri(ws)
                .customHeaders(new DefaultHttpHeaders().set(HttpHeaderNames.AUTHORIZATION, "Bearer " + token))
                .generateOriginHeader(false) // not a browser
                .handleCloseFrames(false) // the subscriber reports the server's close code
                .handshakeTimeoutMillis(30_000)
                .build();
        ChannelFuture connected = bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline()
                        .addLast("http", new HttpClientCodec())
                        .addLast("aggregator", new HttpObjectAggregator(64 * 1024))
                        .addLast("websocket", new WebSocketClientProtocolHandler(config))
                        .addLast("subscriber", subscriber);
            }
        }).connect(new InetSocketAddress(ws.getHost(), ws.getPort()), new InetSocketAddress(source, 0));
        connected.addListener(f -> {
            if (!f.isSuccess()) {
                subscriber.fail("connect: " + f.cause());
            }
        });
    }

    /**
     * Publishes {@code count} publications on a fixed 100 ms schedule, each with its {@code seq} and
     * the {@code System.nanoTime()} just before it is handed to the HTTP client. Requests are sent
     * asynchronously, so a slow answer does not delay the next publication. Prints how long the
     * measured ones took to be answered; returns how many were not answered 200.
     */
    private static int publish(GatehouseProcess server, String channelName, int firstMeasuredSeq, int count)
            throws Exception {
        Recorder answerNanos = new Recorder(3);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        URI publishUri = server.url().resolve("/api/v1/publish");
        AtomicReferenceArray<CompletableFuture<HttpResponse<String>>> answers = new AtomicReferenceArray<>(count);
        CountDownLatch sent = new CountDownLatch(count);
        AtomicInteger next = new AtomicInteger();
        ScheduledExecutorService schedule = Executors.newSingleThreadScheduledExecutor();
        schedule.scheduleAtFixedRate(() -> {
            int seq = next.getAndIncrement();
            if (seq >= count) {
                return;
            }
            long sentAt = System.nanoTime();
            String body = "{\"channel\":\"" + channelName + "\",\"data\":{\"seq\":" + seq + ",\"sent_ns\":" + sentAt + "}}";
            answers.set(seq, http.sendAsync(HttpRequest.newBuilder(publishUri)
                    .header("Authorization", "apikey " + server.apiKey())
                    .header("Content-Type", "application/json")
                    .timeout(Duration.ofSeconds(10))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString())
                    .whenComplete((response, error) -> {
                        if (seq >= firstMeasuredSeq) {
                            answerNanos.recordValue(System.nanoTime() - sentAt);
                        }
                    }));
            sent.countDown();
        }, 0, 1000 / PUBLICATIONS_PER_SECOND, TimeUnit.MILLISECONDS);
        try {
            sent.await(count / PUBLICATIONS_PER_SECOND + 30, TimeUnit.SECONDS);
        } finally {
            schedule.shutdownNow();
        }
        int failed = 0;
        String firstFailure = null;
        for (int seq = 0; seq < count; seq++) {
            CompletableFuture<HttpResponse<String>> answer = answers.get(seq);
            String problem;
            try {
                HttpResponse<String> response = answer == null ? null : answer.get(15, TimeUnit.SECONDS);
                problem = response == null ? "not sent" : response.statusCode() == 200 ? null
                        : response.statusCode() + " " + response.body();
            } catch (Exception e) {
                problem = e.toString();
            }
            if (problem != null) {
                failed++;
                firstFailure = firstFailure == null ? problem : firstFailure;
            }
        }
        Histogram answered = answerNanos.getIntervalHistogram();
        System.out.printf("fanout: publish answered (HTTP round trip) p50=%.2fms p99=%.2fms max=%.2fms%n",
                millis(answered.getValueAtPercentile(50)), millis(answered.getValueAtPercentile(99)),
                millis(answered.getMaxValue()));
        if (firstFailure != null) {
            System.out.println("fanout: " + failed + " publications failed, the first: " + firstFailure);
        }
        return failed;
    }

    /** "reason xCOUNT" for every distinct subscriber failure, or "" when none failed. */
    private static String failures(List<FanoutSubscriber> subscribers) {
        Map<String, Integer> byReason = new TreeMap<>();
        for (FanoutSubscriber s : subscribers) {
            if (s.failure() != null) {
                byReason.merge(s.failure(), 1, Integer::sum);
            }
        }
        StringBuilder out = new StringBuilder();
        byReason.forEach((reason, n) -> out.append(out.length() == 0 ? "" : "; ").append(reason).append(" x").append(n));
        return out.toString();
    }

    private static double millis(long nanos) {
        return nanos / NANOS_PER_MILLI;
    }

    /**
     * CPU time so far of the server, of this bench and of the whole machine (/proc/stat), so a
     * round can say how much of the cores other work on the machine took while it ran.
     */
    private record CpuSample(long wallNanos, long serverCpuNanos, long benchCpuNanos, long machineBusyTicks,
            long machineTicks) {
        static CpuSample take(GatehouseProcess server) throws IOException {
            // cpu  user nice system idle iowait irq softirq steal guest guest_nice (guest is inside user)
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long all = 0;
            for (int i = 1; i <= 8; i++) {
                all += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            return new CpuSample(System.nanoTime(), server.cpuTime().toNanos(),
                    ProcessHandle.current().info().totalCpuDuration().orElseThrow().toNanos(), all - idle, all);
        }

        /** "cpu: server=..% bench=..% other=..% of N cores" between start and this sample. */
        String sharesSince(CpuSample start) {
            double capacity = (double) (wallNanos - start.wallNanos) * Runtime.getRuntime().availableProcessors();
            double server = (serverCpuNanos - start.serverCpuNanos) / capacity;
            double bench = (benchCpuNanos - start.benchCpuNanos) / capacity;
            double machine = (double) (machineBusyTicks - start.machineBusyTicks) / (machineTicks - start.machineTicks);
            return String.format("cpu: server=%.0f%% bench=%.0f%% other=%.0f%% of %d cores", 100 * server, 100 * bench,
                    100 * Math.max(0, machine - server - bench), Runtime.getRuntime().availableProcessors());
        }
    }

    private static Map<String, String> options(String[] args) {
        if (args.length % 2 != 0) {
            throw new IllegalArgumentException("options come in pairs: --subscribers 1000,5000 --warmup-seconds 10 ...");
        }
        Map<String, String> options = new TreeMap<>();
        for (int i = 0; i < args.length; i += 2) {
            if (!List.of("--jar", "--subscribers", "--warmup-seconds", "--measure-seconds").contains(args[i])) {
                throw new IllegalArgumentException("unknown option " + args[i]);
            }
            options.put(args[i], args[i + 1]);
        }
        return options;
    }
}
