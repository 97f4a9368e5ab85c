package io.gatehouse.broker;

import io.gatehouse.broker.RedisScripts.Script;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The nodes of a deployment and whether they are alive (docs/redis.md, "Nodes and presence"). Each
 * node beats every third of its {@code ttl} (presence.node_ttl): its entry in the nodes sorted set
 * then holds until a ttl from now, in Redis time. A node whose entry is past counts as dead: its
 * presence entries are left out of every read at once, and the first live node to beat after that
 * claims it and removes them, a few channels per step, telling its listener of each
 * ({@link BrokerListener#onPresenceExpired}), so each leave is announced once. A node that finds
 * itself taken for dead (its connection to Redis was down longer than the ttl) lists its entries
 * again ({@link RedisPresence#addAgain}).
 *
 * <p>Beats run on one thread of their own ({@value #THREAD_NAME}), which waits for Redis (bounded
 * by the command timeout): never an event loop, never a reply thread.
 */
final class RedisNodes implements AutoCloseable {
    static final String THREAD_NAME = "gatehouse-redis-heartbeat";

    /** Dead nodes one beat may claim. */
    static final int CLAIMS_PER_BEAT = 8;

    /** Reap steps one beat takes per claimed node; what is left waits for the next beat. */
    private static final int STEPS_PER_CLAIM = 64;

    private static final Logger LOG = LoggerFactory.getLogger(RedisNodes.class);

    private final RedisScripts scripts;
    private final RedisKeys keys;
    private final RedisDeliveries deliveries;
    private final RedisPresence presence;
    private final Duration ttl;
    private final Duration interval;
    private final ScheduledExecutorService beats = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, THREAD_NAME);
        t.setDaemon(true);
        return t;
    });

    /** When the last beat Redis took was sent (System.nanoTime), or -1 before the first one; the beat thread's. */
    private long lastBeat = -1;

    private boolean failing;

    /**
     * This node came back after it was taken for dead and has not listed all its entries again yet
     * (the call failed): tried again at each beat until it succeeds. The beat thread's.
     */
    private boolean addAgain;

    RedisNodes(RedisScripts scripts, RedisKeys keys, RedisDeliveries deliveries, RedisPresence presence, Duration ttl) {
        if (ttl.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("a node's ttl (presence.node_ttl) is at least 1s, not " + ttl);
        }
        this.scripts = scripts;
        this.keys = keys;
        this.deliveries = deliveries;
        this.presence = presence;
        this.ttl = ttl;
        this.interval = ttl.dividedBy(3);
    }

    /** Beats now and then every third of the ttl, until {@link #close}. */
    void start() {
        beats.scheduleWithFixedDelay(this::beat, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One beat: this node's entry renewed, its entries listed again if it was taken for dead, dead nodes reaped. */
    void beat() {
        long sent = System.nanoTime();
        // Claims only while this node's own beats kept getting through: after an outage every node
        // first renews itself, so none takes the others, who have not had their turn, for dead.
        boolean steady = lastBeat >= 0 && sent - lastBeat <= 2 * interval.toNanos();
        try {
            List<Object> reply = await(scripts.run(
                    Script.NODE_HEARTBEAT,
                    new String[] {keys.nodes(), keys.reaping()},
                    deliveries.node(),
                    Long.toString(ttl.toMillis()),
                    Long.toString(ttl.toMillis()),
                    Integer.toString(steady ? CLAIMS_PER_BEAT : 0)));
            lastBeat = sent;
            addAgain |= Long.valueOf(1).equals(reply.get(0));
            if (addAgain) {
                await(presence.addAgain());
                addAgain = false;
            }
            // Reaping never holds the next beat back past half an interval: what is left of a claimed
            // node waits until its claim lapses and a beat claims it again.
            long reapUntil = sent + interval.toNanos() / 2;
            for (Object dead : reply.subList(1, reply.size())) {
                if (System.nanoTime() - reapUntil > 0) {
                    break;
                }
                reap(String.valueOf(dead), reapUntil);
            }
            if (failing) {
                failing = false;
                LOG.info("The node's heartbeat reaches Redis again");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            if (!failing) {
                failing = true;
                LOG.warn(
                        "The node's heartbeat did not reach Redis ({}); after presence.node_ttl {} the other nodes"
                                + " leave this node's clients out of presence until it does",
                        e.getMessage(),
                        ttl);
            }
        }
    }

    /** Removes what is left of {@code dead}'s entries until {@code until} (System.nanoTime), telling the listener of each. */
    private void reap(String dead, long until) throws InterruptedException, ExecutionException, TimeoutException {
        BrokerListener listener = deliveries.listener();
        for (int step = 0; step < STEPS_PER_CLAIM && System.nanoTime() - until < 0; step++) {
            RedisPresence.Reaped reaped = RedisPresence.Reaped.of(await(presence.reap(dead)));
            for (RedisPresence.Gone gone : reaped.clients()) {
                try {
                    listener.onPresenceExpired(gone.channel(), gone.client(), gone.connectionsLeft());
                } catch (RuntimeException e) {
                    LOG.warn("The broker listener failed on an expired presence entry", e);
                }
            }
            if (reaped.done()) {
                return;
            }
        }
    }

    private static <T> T await(CompletableFuture<T> stage)
            throws InterruptedException, ExecutionException, TimeoutException {
        return stage.get(2 * RedisConnections.COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops beating; this node's entry expires after its ttl, and the others reap what it left. */
    @Override
    public void close() {
        beats.shutdownNow();
    }
}
