package io.gatehouse;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.config.ConfigKey;
import io.gatehouse.testing.ChildJvm;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.RawWebSocket;
import io.gatehouse.testing.RedisProcess;
import io.gatehouse.testing.RedisTestKeys;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Several nodes on Redis while things go wrong (issue 15): clients hopping between nodes, Redis
 * restarted or paused under load, a node killed. The clients are real WebSocket clients that
 * subscribe again with {@code since} ({@link ResumingSubscriber}); publications go through the
 * HTTP publish API of random nodes. Tests that stop or pause Redis run their own redis-server
 * ({@link RedisProcess}); the others use the shared one at 127.0.0.1:6379 under a prefix of their
 * own. None skips.
 */
class RedisChaosTest {
    static final String SHARED_REDIS = "redis://127.0.0.1:6379/0";
    /** Long enough to recover anything these tests publish. */
    static final int HISTORY = 5000;

    static final Duration LIMIT = Duration.ofMinutes(3);

    private final String prefix =
            "gatehouse-test-" + UUID.randomUUID().toString().substring(0, 8) + ":";
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void closeEverything() throws Exception {
        threads.shutdownNow();
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        RedisTestKeys.deleteUnder(prefix);
    }

    /** A node of this test's deployment on {@code redisUrl}: feed keeps {@link #HISTORY} for 10 minutes. */
    /** presence.node_ttl of every node here: short, so a killed node's clients leave soon. */
    private static final int NODE_TTL_SECONDS = 3;

    private TestGatehouse node(String redisUrl) {
        TestGatehouse node = new TestGatehouse()
                .with(ConfigKey.BROKER_URL.key(), redisUrl)
                .with(ConfigKey.BROKER_PREFIX.key(), prefix)
                .with("channels.namespaces.feed", Map.of("history_size", HISTORY, "history_ttl", "10m"))
                .with("channels.namespaces.room", Map.of("presence", true, "join_leave", true))
                .with(ConfigKey.PRESENCE_NODE_TTL.key(), NODE_TTL_SECONDS + "s");
        toClose.add(node);
        return node;
    }

    /** Publishes 1, 2, 3 ... {@code count} through random nodes, each retried until a node takes it. */
    private static final class Publisher implements Runnable {
        final String channel;
        final int count;
        final List<TestGatehouse> nodes;
        final List<String> keys = new ArrayList<>();
        /** The reply to the last publish taken: its offset and epoch, once all are published. */
        final AtomicReference<JsonNode> done = new AtomicReference<>();

        final AtomicInteger published = new AtomicInteger();
        final List<JsonNode> replies = new ArrayList<>();
        int refused;

        Publisher(String channel, int count, List<TestGatehouse> nodes) {
            this.channel = channel;
            this.count = count;
            this.nodes = nodes;
            nodes.forEach(n -> keys.add("apikey " + n.apiKey("publish")));
        }

        @Override
        public void run() {
            JsonNode reply = null;
            for (int n = 1; n <= count; n++) {
                while (true) {
                    int i = ThreadLocalRandom.current().nextInt(nodes.size());
                    try {
                        TestGatehouse.Reply r = nodes.get(i)
                                .post(
                                        "/api/v1/publish",
                                        "{\"channel\":\"" + channel + "\",\"data\":" + n + "}",
                                        "Authorization",
                                        keys.get(i));
                        if (r.status() == 200) {
                            reply = r.body();
                            break;
                        }
                    } catch (RuntimeException e) {
                        // a node that is down: another one, after a pause
                    }
                    refused++;
                    sleep(100);
                }
                replies.add(reply);
                published.set(n);
            }
            done.set(reply);
        }

        /** Whether {@code s} has everything this publisher published, in the last epoch. */
        boolean reached(ResumingSubscriber s) {
            JsonNode last = done.get();
            return last != null
                    && last.path("epoch").asText().equals(s.epoch())
                    && last.path("offset").asLong() == s.last();
        }
    }

    /**
     * Runs {@code s} until it has all {@code publisher} published: connects to a node {@code pick}
     * gives, reads, and reconnects when the socket is closed on it; with {@code hop}, it also leaves
     * on its own after a random while (up to 400 ms) and comes back on another node.
     */
    private Future<?> keepSubscribed(ResumingSubscriber s, Supplier<URI> pick, Publisher publisher, boolean hop) {
        return threads.submit(() -> {
            while (!publisher.reached(s)) {
                if (!s.isConnected() && !s.connect(pick.get())) {
                    sleep(100);
                    continue;
                }
                boolean open = s.read(
                        Duration.ofMillis(hop ? ThreadLocalRandom.current().nextInt(20, 400) : 200));
                if (open && hop) {
                    s.drop();
                }
            }
            s.drop();
            return null;
        });
    }

    private static void awaitAll(List<Future<?>> futures, List<ResumingSubscriber> subscribers) throws Exception {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        for (Future<?> f : futures) {
            try {
                f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new AssertionError("not every subscriber got everything within " + LIMIT + ": " + subscribers, e);
            }
        }
    }

    @Test
    void fourClientsHoppingBetweenNodesWhile2000PublicationsFlowEachGetEveryOffsetOnce() throws Exception {
        List<TestGatehouse> nodes = List.of(
                node(SHARED_REDIS).start(),
                node(SHARED_REDIS).start(),
                node(SHARED_REDIS).start());
        String channel = "feed:hop";
        Publisher publisher = new Publisher(channel, 2000, nodes);
        List<ResumingSubscriber> subscribers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ResumingSubscriber s = new ResumingSubscriber("hopper" + i, channel);
            assertThat(s.connect(nodes.get(i % nodes.size()).ws())).isTrue();
            subscribers.add(s);
        }
        Supplier<URI> anyNode = () ->
                nodes.get(ThreadLocalRandom.current().nextInt(nodes.size())).ws();
        List<Future<?>> running = new ArrayList<>();
        subscribers.forEach(s -> running.add(keepSubscribed(s, anyNode, publisher, true)));
        threads.submit(publisher).get(LIMIT.toMillis(), TimeUnit.MILLISECONDS);
        awaitAll(running, subscribers);

        assertThat(publisher.refused).as("publishes refused on a healthy Redis").isZero();
        List<Long> everyOffset = LongStream.rangeClosed(1, 2000).boxed().collect(Collectors.toList());
        for (ResumingSubscriber s : subscribers) {
            System.out.println(s);
            assertThat(s.violations).as(s.toString()).isEmpty();
            assertThat(s.offsets).as(s.toString()).isEqualTo(everyOffset);
            assertThat(s.data)
                    .as("the data, which is its offset here")
                    .isEqualTo(everyOffset.stream().map(String::valueOf).collect(Collectors.toList()));
            assertThat(s.recovered).as("it came back with since and recovered").isPositive();
        }
    }

    @Test
    void aRedisRestartedUnderLoadLeavesEverySubscriberWithEveryOffsetOrToldAndTheNodesRecoverByThemselves()
            throws Exception {
        RedisProcess redis = RedisProcess.start();
        toClose.add(redis);
        List<TestGatehouse> nodes =
                List.of(node(redis.url()).start(), node(redis.url()).start());
        String channel = "feed:restart";
        Publisher publisher = new Publisher(channel, 600, nodes);
        List<ResumingSubscriber> subscribers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ResumingSubscriber s = new ResumingSubscriber("stayer" + i, channel);
            assertThat(s.connect(nodes.get(i % nodes.size()).ws())).isTrue();
            subscribers.add(s);
        }
        Supplier<URI> anyNode = () ->
                nodes.get(ThreadLocalRandom.current().nextInt(nodes.size())).ws();
        List<Future<?>> running = new ArrayList<>();
        subscribers.forEach(s -> running.add(keepSubscribed(s, anyNode, publisher, false)));
        Future<?> publishing = threads.submit(publisher);

        Awaitility.await().atMost(LIMIT).until(() -> publisher.published.get() >= 200);
        redis.shutdownNoSave();
        Thread.sleep(1000);
        redis.startAgain();
        publishing.get(LIMIT.toMillis(), TimeUnit.MILLISECONDS);
        awaitAll(running, subscribers);

        String before = publisher.replies.get(0).path("epoch").asText();
        String after = publisher.done.get().path("epoch").asText();
        assertThat(after)
                .as("a Redis without persistence restarted: a new epoch")
                .isNotEqualTo(before);
        for (ResumingSubscriber s : subscribers) {
            System.out.println(s);
            assertThat(s.violations).as(s.toString()).isEmpty();
            assertThat(s.notRecovered).as("told of the new epoch: " + s).isPositive();
        }
        for (TestGatehouse node : nodes) {
            Awaitility.await()
                    .atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(node.get("/ready").status()).isEqualTo(200));
            JsonNode more = node.publish(channel, "\"after\"");
            assertThat(more.path("epoch").asText()).isEqualTo(after);
        }
    }

    @Test
    void aRedisPausedForFiveSecondsStallsNoEventLoopHeartbeatsAndHandshakesGoOn() throws Exception {
        RedisProcess redis = RedisProcess.start();
        toClose.add(redis);
        TestGatehouse node = node(redis.url())
                .with(ConfigKey.HEARTBEAT_INTERVAL.key(), "200ms")
                .start();
        RawWebSocket raw = RawWebSocket.connect(node.ws(), "Authorization: Bearer " + Jwts.hs256For("raw"));
        toClose.add(raw);
        assertThat(raw.status()).isEqualTo(101);
        WsRecorder chatty = node.connectAs("chatty");
        toClose.add(chatty);
        chatty.subscribe("feed:paused");

        redis.cli("client", "pause", "5000", "all");
        long paused = System.nanoTime();
        // Work that waits for Redis, on the node's threads: a publish and a subscribe to a new channel.
        CompletableFuture<TestGatehouse.Reply> publish = CompletableFuture.supplyAsync(
                () -> node.post(
                        "/api/v1/publish",
                        "{\"channel\":\"feed:paused\",\"data\":1}",
                        "Authorization",
                        "apikey " + node.apiKey("publish")),
                threads);
        WsRecorder subscriber = node.connectAs("waits");
        toClose.add(subscriber);
        subscriber.send("{\"type\":\"subscribe\",\"channel\":\"feed:other\"}");

        // Meanwhile, while that publish still waits for Redis (an order, not a wall-clock bound):
        // protocol pings every 200 ms, a JSON ping answered, a handshake that needs no Redis.
        int pings = 0;
        boolean answered = false;
        boolean answeredWhileWaiting = false;
        while (!publish.isDone()) {
            RawWebSocket.Frame f = raw.readFrame(2000);
            if (f.opcode() == RawWebSocket.PING) {
                raw.sendFrame(RawWebSocket.PONG, f.payload());
                pings += publish.isDone() ? 0 : 1;
            }
            if (pings >= 3 && !answered) {
                answered = true;
                chatty.assertAlive("a client's JSON ping while Redis is paused");
                try (WsRecorder late = node.connectAs("late")) {
                    assertThat(late.established().path("connection_id").asText())
                            .isNotEmpty();
                }
                answeredWhileWaiting = !publish.isDone();
            }
        }
        System.out.println("pings while a publish waited for the paused Redis: " + pings + ", "
                + Duration.ofNanos(System.nanoTime() - paused).toMillis() + " ms after the pause began");
        assertThat(answeredWhileWaiting)
                .as("a JSON ping and a handshake answered while a publish waited for the paused Redis")
                .isTrue();
        assertThat(pings)
                .as("protocol pings (every 200 ms) while a publish waited for the paused Redis")
                .isGreaterThanOrEqualTo(5);

        // Once Redis answers again, the node goes on.
        Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(node.get("/ready").status()).isEqualTo(200));
        publish.get(30, TimeUnit.SECONDS);
        node.publish("feed:paused", "2");
        assertThat(chatty.awaitType("message").path("channel").asText()).isEqualTo("feed:paused");
    }

    @Test
    void aNodeKilledUnderLoadLeavesItsClientsToReconnectToTheOthersAndRecover() throws Exception {
        List<TestGatehouse> nodes =
                List.of(node(SHARED_REDIS).start(), node(SHARED_REDIS).start());
        ChildNode child = ChildNode.start(SHARED_REDIS, prefix);
        toClose.add(child);
        String channel = "feed:killed";
        Publisher publisher = new Publisher(channel, 1000, nodes);
        List<ResumingSubscriber> subscribers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ResumingSubscriber s = new ResumingSubscriber("orphan" + i, channel);
            assertThat(s.connect(child.ws())).isTrue();
            subscribers.add(s);
        }
        AtomicReference<URI> target = new AtomicReference<>(child.ws());
        Supplier<URI> pick = () -> target.get() != null
                ? target.get()
                : nodes.get(ThreadLocalRandom.current().nextInt(nodes.size())).ws();
        List<Future<?>> running = new ArrayList<>();
        subscribers.forEach(s -> running.add(keepSubscribed(s, pick, publisher, false)));
        Future<?> publishing = threads.submit(publisher);

        // Two clients present in a room through the child, watched from a surviving node.
        List<WsRecorder> present = new ArrayList<>();
        List<String> presentIds = new ArrayList<>();
        for (String user : List.of("stayer0", "stayer1")) {
            WsRecorder r = WsRecorder.connect(child.ws(), "Authorization", "Bearer " + Jwts.hs256For(user));
            toClose.add(r);
            presentIds.add(r.awaitEstablished().path("connection_id").asText());
            r.subscribe("room:killed");
            present.add(r);
        }
        TestGatehouse survivor = nodes.get(0);
        WsRecorder watcher = survivor.connectAs("watcher");
        toClose.add(watcher);
        String watcherId = watcher.established().path("connection_id").asText();
        watcher.subscribe("room:killed");
        String admin = "apikey " + survivor.apiKey("admin");
        assertThat(presenceOn(survivor, admin))
                .containsExactlyInAnyOrder(presentIds.get(0), presentIds.get(1), watcherId);

        Awaitility.await().atMost(LIMIT).until(() -> publisher.published.get() >= 300);
        target.set(null); // from now on clients reconnect to the nodes still alive
        long childHoldsUntil = heartbeatOf(presentIds.get(0));
        child.kill();
        long killed = System.nanoTime();
        long killedAt = System.currentTimeMillis();
        // Under the load still running: the killed node's clients leave the room's presence once
        // its last beat is a ttl old, and the watcher on a survivor hears each one's leave once.
        Awaitility.await()
                .atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(presenceOn(survivor, admin)).containsExactly(watcherId));
        System.out.println("the killed node's clients left presence "
                + Duration.ofNanos(System.nanoTime() - killed).toMillis() + " ms after the kill (presence.node_ttl "
                + NODE_TTL_SECONDS + " s; its last heartbeat held until " + (childHoldsUntil - killedAt)
                + " ms after the kill)");
        List<String> left = new ArrayList<>();
        while (left.size() < 2) {
            JsonNode leave = watcher.awaitType("leave");
            left.add(leave.path("client").path("connection_id").asText());
        }
        assertThat(left).containsExactlyInAnyOrderElementsOf(presentIds);
        assertThat(presenceOn(nodes.get(1), "apikey " + nodes.get(1).apiKey("admin")))
                .containsExactly(watcherId);
        publishing.get(LIMIT.toMillis(), TimeUnit.MILLISECONDS);
        awaitAll(running, subscribers);

        List<Long> everyOffset = LongStream.rangeClosed(1, 1000).boxed().collect(Collectors.toList());
        for (ResumingSubscriber s : subscribers) {
            System.out.println(s);
            assertThat(s.violations).as(s.toString()).isEmpty();
            assertThat(s.offsets).as(s.toString()).isEqualTo(everyOffset);
            assertThat(s.closedOnIt).as("its node died under it: " + s).isPositive();
            assertThat(s.notRecovered).isZero();
        }
    }

    /** Until when (ms since the epoch) the heartbeat of the node holding connection {@code id} in room:killed holds. */
    private long heartbeatOf(String id) {
        RedisClient client = RedisClient.create(SHARED_REDIS);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            RedisCommands<String, String> redis = connection.sync();
            String entry = redis.hget(prefix + "ch:{room:killed}:presence", id);
            String node = entry.replaceAll(".*\"node\":\"([0-9a-f]+)\".*", "$1");
            Double score = redis.zscore(prefix + "nodes", node);
            return score == null ? -1 : score.longValue();
        } finally {
            client.shutdown();
        }
    }

    /** The connection ids {@code node} lists in room:killed's presence. */
    private static List<String> presenceOn(TestGatehouse node, String adminKey) {
        TestGatehouse.Reply r = node.get("/api/v1/channels/room:killed/presence", "Authorization", adminKey);
        assertThat(r.status()).as(String.valueOf(r.body())).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        r.body().path("clients").forEach(c -> ids.add(c.path("connection_id").asText()));
        return ids;
    }

    /** A node in a child JVM ({@code gatehouse serve}) of this test's deployment, to be killed with SIGKILL. */
    static final class ChildNode implements AutoCloseable {
        final Process process;
        final String url;

        private ChildNode(Process process, String url) {
            this.process = process;
            this.url = url;
        }

        static ChildNode start(String redisUrl, String prefix) throws IOException, InterruptedException {
            Path dir = Files.createTempDirectory("gatehouse-child");
            Path config = dir.resolve("config.yaml");
            Files.writeString(
                    config,
                    String.join(
                            "\n",
                            "server:",
                            "  port: 0",
                            "data_dir: " + dir.resolve("data"),
                            "auth:",
                            "  jwt:",
                            "    secret: \"" + TestGatehouse.SECRET + "\"",
                            "broker:",
                            "  url: \"" + redisUrl + "\"",
                            "  prefix: \"" + prefix + "\"",
                            "channels:",
                            "  namespaces:",
                            "    feed:",
                            "      history_size: " + HISTORY,
                            "      history_ttl: 10m",
                            "    room:",
                            "      presence: true",
                            "      join_leave: true",
                            "presence:",
                            "  node_ttl: " + NODE_TTL_SECONDS + "s",
                            ""));
            Process process = ChildJvm.gatehouse("serve", "--config", config.toString())
                    .redirectError(dir.resolve("stderr.txt").toFile())
                    .start();
            BlockingQueue<String> lines = ChildJvm.linesOf(process.getInputStream());
            List<String> seen = new ArrayList<>();
            while (true) {
                String line = lines.poll(60, TimeUnit.SECONDS);
                if (line == null) {
                    process.destroyForcibly();
                    throw new AssertionError("the child node did not say where it listens: " + seen + " "
                            + Files.readString(dir.resolve("stderr.txt")));
                }
                seen.add(line);
                if (line.startsWith("listening on ")) {
                    return new ChildNode(process, line.substring("listening on ".length()));
                }
            }
        }

        URI ws() {
            return URI.create(url.replace("http://", "ws://") + "/ws");
        }

        /** SIGKILL: no shutdown hook runs, nothing is said to Redis or to the clients. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
