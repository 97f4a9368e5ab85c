package io.gatehouse.stats;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.cluster.SharedStats;
import io.gatehouse.config.NamespaceConfig;
import io.gatehouse.hub.Connection;
import io.gatehouse.hub.Hub;
import io.gatehouse.metrics.GatehouseMetrics;
import io.gatehouse.protocol.EncodedMessage;
import io.gatehouse.protocol.Refusal;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.protocol.ServerMessage;
import io.gatehouse.protocol.WireCodec;
import io.gatehouse.store.AccessLogEntry;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's live statistics for the dashboard (docs/protocol.md, "Live statistics"): every
 * dashboard.stats_interval a thread of its own reads the node's counters, keeps the {@link Sample}
 * in a ring of the last 900 and sends {@code stats_update} {node, now} to the live local
 * subscribers of {@code gatehouse:stats}; {@code get_stats} from an admin connection is answered
 * with the whole Stats and its history, encoded on the same thread. Sampling reads counters and
 * gauges only: it never waits for a lock an event loop holds, and allocates a few small objects
 * per sample. Thread-safe.
 */
public final class NodeStats implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeStats.class);
    private static final RefusalCode[] CODES = RefusalCode.values();
    private static final String CHANNEL = NamespaceConfig.STATS_CHANNEL;

    private final Hub hub;
    private final GatehouseMetrics metrics;
    private final LongSupplier accessLogQueue;
    private final LongSupplier webhookQueue;
    private final WireCodec codec;
    private final Clock clock;
    private final Duration interval;
    private final String version;
    private final Instant startedAt;
    private final StatsJson json;
    private final SampleRing ring = new SampleRing(SampleRing.CAPACITY);
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    /** Null when the JVM has no com.sun.management bean: then cpu_process is null. */
    private final com.sun.management.OperatingSystemMXBean os;

    private final ScheduledExecutorService timer;
    /** The counters at the last sample. Only on the timer thread, after the constructor. */
    private Totals last;
    /** This node as {@code node} names it: its listening address, once it listens. */
    private volatile String node;
    /** The whole Stats as JSON for the newest sample, made by the first get_stats that needs it. Timer thread. */
    private volatile Full full;
    /** Connections answered get_stats since the last sample: one answer per connection and interval. */
    private final Set<String> answered = ConcurrentHashMap.newKeySet();

    private record Full(Sample now, String json) {}

    /** The deployment's statistics (several nodes on Redis), or null on a single node. */
    private final SharedStats shared;

    /**
     * Takes the first sample (its rates 0); nothing runs until {@link #start}. {@code node} names
     * this node until {@link #start} names it by the address it listens on.
     */
    public NodeStats(
            Hub hub,
            GatehouseMetrics metrics,
            LongSupplier accessLogQueue,
            LongSupplier webhookQueue,
            WireCodec codec,
            Clock clock,
            Duration interval,
            String version,
            String node,
            ThreadFactory threads) {
        this(hub, metrics, accessLogQueue, webhookQueue, codec, clock, interval, version, node, threads, null);
    }

    /**
     * As above, for a node of a deployment: each sample is also left in {@code shared}, and
     * {@code get_stats} answers with every live node's newest sample and their total.
     */
    public NodeStats(
            Hub hub,
            GatehouseMetrics metrics,
            LongSupplier accessLogQueue,
            LongSupplier webhookQueue,
            WireCodec codec,
            Clock clock,
            Duration interval,
            String version,
            String node,
            ThreadFactory threads,
            SharedStats shared) {
        this.shared = shared;
        this.hub = hub;
        this.metrics = metrics;
        this.accessLogQueue = accessLogQueue;
        this.webhookQueue = webhookQueue;
        this.codec = codec;
        this.clock = clock;
        this.interval = interval;
        this.version = version;
        this.node = node;
        this.startedAt = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        this.json = new StatsJson(codec.json().getFactory());
        this.os = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean o
                ? o
                : null;
        this.timer = Executors.newSingleThreadScheduledExecutor(threads);
        last = totals();
        ring.add(Sample.between(last, last, gauges()));
    }

    /** Samples every dashboard.stats_interval from now on; {@code listening} is this node's HOST:PORT. */
    public void start(String listening) {
        this.node = listening;
        long period = interval.toNanos();
        timer.scheduleAtFixedRate(this::sample, period, period, TimeUnit.NANOSECONDS);
    }

    /**
     * {@code get_stats} from {@code c}: {@code stats_update} {id, data: Stats} for an admin, once per
     * connection and interval (a second one within the interval gets {@code error} RATE_LIMITED, so
     * that repeating it cannot queue a history per message); {@code error} PERMISSION_DENIED for
     * anyone else. Called on the connection's thread; the answer is made on the stats thread, so
     * all get_stats of the node share one thread, and each connection has at most one waiting there.
     * With several nodes the answer also has {@code nodes} and {@code total} (docs/protocol.md).
     */
    public void get(Connection c, JsonNode id) {
        if (!c.principal().user().isAdmin()) {
            c.send(error(
                    RefusalCode.PERMISSION_DENIED.refusal("get_stats is for admins (a user with the admin role)"), id));
        } else if (!answered.add(c.id())) {
            c.send(error(
                    RefusalCode.RATE_LIMITED.refusal("get_stats is answered once per dashboard.stats_interval"
                            + " and connection; subscribe to " + CHANNEL + " for each new sample"),
                    id));
        } else {
            try {
                // Encoding a history takes milliseconds: on this thread, never an event loop's.
                timer.execute(() -> answer(c, id));
            } catch (RejectedExecutionException stopped) {
                c.send(error(RefusalCode.SERVER_SHUTTING_DOWN.refusal(), id));
            }
        }
    }

    /** Sends {@code c} the whole Stats; with several nodes, once the deployment's have come (or not). Stats thread. */
    private void answer(Connection c, JsonNode id) {
        String own = fullJson();
        if (shared == null) {
            c.send(codec.encode(new ServerMessage.StatsUpdate(id, own)));
            return;
        }
        shared.alive().toCompletableFuture().orTimeout(1, TimeUnit.SECONDS).whenComplete((nodes, failure) -> {
            try {
                timer.execute(() -> c.send(codec.encode(new ServerMessage.StatsUpdate(
                        id, failure == null ? DeploymentStats.with(codec.json(), own, nodes) : own))));
            } catch (RejectedExecutionException stopped) {
                c.send(error(RefusalCode.SERVER_SHUTTING_DOWN.refusal(), id));
            }
        });
    }

    /** The samples kept, oldest first; the newest is the current one. */
    public List<Sample> history() {
        return ring.oldestFirst();
    }

    /** The whole Stats (docs/protocol.md) as JSON text, made at most once per sample. */
    String fullJson() {
        Full f = full;
        if (f != null && f.now() == ring.newest()) {
            return f.json();
        }
        List<Sample> history = ring.oldestFirst();
        String text = json.full(node, version, startedAt, interval.toMillis(), history);
        full = new Full(history.get(history.size() - 1), text);
        return text;
    }

    /** One tick of the timer. */
    private void sample() {
        try {
            Totals now = totals();
            Sample s = Sample.between(last, now, gauges());
            last = now;
            ring.add(s);
            if (shared != null) {
                shared.put(json.push(node, s));
            }
            if (hub.hasSubscribers(CHANNEL)) {
                hub.push(CHANNEL, codec.encode(new ServerMessage.StatsUpdate(null, json.push(node, s))));
            }
        } catch (RuntimeException e) {
            LOG.warn("Taking a stats sample failed; the next interval tries again", e);
        } finally {
            answered.clear(); // a failed sample must not leave get_stats refused
        }
    }

    private Totals totals() {
        long[] refused = new long[CODES.length];
        for (int i = 0; i < CODES.length; i++) {
            refused[i] = metrics.attempts(CODES[i].name());
        }
        return new Totals(
                System.nanoTime(),
                metrics.attempts(AccessLogEntry.ACCEPTED),
                refused,
                metrics.messagesIn(),
                metrics.messagesOut(),
                hub.deliveredCount(),
                metrics.slowConsumers(),
                os == null ? -1 : os.getProcessCpuTime());
    }

    private Sample.Gauges gauges() {
        MemoryUsage heap = memory.getHeapMemoryUsage();
        Instant at = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        return new Sample.Gauges(
                at,
                hub.connectionCount(),
                accessLogQueue.getAsLong(),
                webhookQueue.getAsLong(),
                heap.getUsed(),
                heap.getMax() < 0 ? heap.getCommitted() : heap.getMax(),
                at.toEpochMilli() - startedAt.toEpochMilli());
    }

    private EncodedMessage error(Refusal refusal, JsonNode id) {
        return codec.encode(ServerMessage.Error.of(refusal, id));
    }

    /** Stops sampling; pushes stop with it. */
    @Override
    public void close() {
        timer.shutdownNow();
    }
}
