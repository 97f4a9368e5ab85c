package io.gatehouse.hooks;

import io.gatehouse.concurrent.Threads;
import io.gatehouse.config.GatehouseConfig;
import io.gatehouse.metrics.GatehouseMetrics;
import io.gatehouse.store.WebhookEvent;
import io.gatehouse.store.WebhookStore;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the outbox to {@code hooks.url}: a dispatcher thread takes the due events (a lease on each,
 * so nodes sharing the database never send one at once) and {@value #SENDERS} sender threads POST
 * them, signed, over HTTP/1.1, each answer within {@code hooks.timeout}. A 2xx marks the event
 * delivered; anything else schedules the next attempt after a full-jitter backoff (a random wait up
 * to {@code retry_base * 2^(attempts-1)}, at most {@code retry_cap}) until {@code hooks.max_attempts},
 * and then the event is dead. Never on an event loop; a slow or dead endpoint only slows this.
 * Pending events of an earlier run (or of a node that stopped) are due like any other.
 */
final class WebhookDelivery {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookEvents.class);
    static final int SENDERS = 4;
    static final int BATCH = 64;
    private static final Duration IDLE_POLL = Duration.ofMillis(500);
    private static final Duration DEPTH_REFRESH = Duration.ofSeconds(2);
    private static final Duration PURGE_INTERVAL = Duration.ofHours(1);
    /** How long a delivered event stays in the table. */
    static final Duration DELIVERED_KEPT = Duration.ofDays(1);

    private final WebhookStore store;
    private final GatehouseConfig.Hooks config;
    private final GatehouseMetrics metrics;
    private final Clock clock;
    private final AtomicLong pending;
    private final URI url;
    private final HttpClient http;
    private final ExecutorService senders;
    private final Thread dispatcher;
    private final Semaphore wakeUps = new Semaphore(0);
    private volatile boolean closed;

    WebhookDelivery(
            WebhookStore store,
            GatehouseConfig.Hooks config,
            GatehouseMetrics metrics,
            Clock clock,
            AtomicLong pending) {
        this.store = store;
        this.config = config;
        this.metrics = metrics;
        this.clock = clock;
        this.pending = pending;
        this.url = URI.create(config.url());
        this.senders = Executors.newFixedThreadPool(SENDERS, Threads.daemon("gatehouse-webhook-sender"));
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.timeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.dispatcher = new Thread(this::dispatchLoop, "gatehouse-webhook-delivery");
        this.dispatcher.setDaemon(true);
    }

    void start() {
        dispatcher.start();
    }

    /** New events are in the outbox: look now rather than at the next poll. */
    void wake() {
        if (wakeUps.availablePermits() == 0) {
            wakeUps.release();
        }
    }

    /** Stops taking events and waits (at most hooks.timeout and a second) for the deliveries under way. */
    void close() {
        closed = true;
        wake();
        try {
            dispatcher.join(config.timeout().plusSeconds(1).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        senders.shutdownNow();
    }

    private void dispatchLoop() {
        long nextDepthRefresh = 0;
        long nextPurge = 0;
        boolean failing = false;
        while (!closed) {
            try {
                long now = System.nanoTime();
                if (now - nextDepthRefresh >= 0) {
                    pending.set(store.pendingCount());
                    nextDepthRefresh = now + DEPTH_REFRESH.toNanos();
                }
                if (now - nextPurge >= 0) {
                    store.deleteDeliveredBefore(clock.instant().minus(DELIVERED_KEPT));
                    nextPurge = now + PURGE_INTERVAL.toNanos();
                }
                if (dispatch() == 0) {
                    wakeUps.tryAcquire(IDLE_POLL.toMillis(), TimeUnit.MILLISECONDS);
                    wakeUps.drainPermits();
                }
                if (failing) {
                    LOG.info("Webhook delivery reads the database again");
                    failing = false;
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (!failing) {
                    LOG.warn("Webhook delivery cannot use the database; retrying every second", e);
                    failing = true;
                }
                sleepQuietly(Duration.ofSeconds(1));
            }
        }
    }

    /** Sends the due events of one batch and waits for their answers; how many were due. */
    private int dispatch() throws InterruptedException {
        List<WebhookEvent> due = store.due(clock.instant(), BATCH);
        // Long enough for the slowest attempt and its bookkeeping; a node that dies holding events
        // frees them when the lease ends.
        Instant lease = clock.instant().plus(config.timeout().multipliedBy(2)).plusSeconds(5);
        List<Future<?>> sends = new ArrayList<>();
        for (WebhookEvent e : due) {
            if (closed) {
                break;
            }
            if (store.claim(e, lease)) {
                sends.add(senders.submit(() -> attempt(e)));
            }
        }
        for (Future<?> f : sends) {
            try {
                f.get();
            } catch (ExecutionException e) {
                LOG.warn(
                        "A webhook delivery failed unexpectedly; the event is retried when its lease ends",
                        e.getCause());
            }
        }
        return due.size();
    }

    /** One POST of {@code e}, and its outcome in the outbox. On a sender thread. */
    private void attempt(WebhookEvent e) {
        String error;
        try {
            long t = clock.instant().getEpochSecond();
            HttpRequest request = HttpRequest.newBuilder(url)
                    .timeout(config.timeout())
                    .header("Content-Type", "application/json")
                    .header(WebhookSignature.HEADER, WebhookSignature.header(config.signingSecrets(), t, e.body()))
                    .header("Gatehouse-Event-Id", e.id())
                    .POST(HttpRequest.BodyPublishers.ofString(e.body()))
                    .build();
            int status =
                    http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status >= 200 && status < 300) {
                store.delivered(e.id(), clock.instant());
                pending.decrementAndGet();
                metrics.webhookDelivered();
                return;
            }
            error = "HTTP " + status;
        } catch (HttpTimeoutException timeout) {
            error = "no answer within hooks.timeout (" + config.timeout().toMillis() + " ms)";
        } catch (IOException io) {
            error = io.getClass().getSimpleName() + (io.getMessage() == null ? "" : ": " + io.getMessage());
        } catch (InterruptedException stopping) {
            Thread.currentThread().interrupt();
            return; // shutdown: the lease ends and the event is sent again
        }
        metrics.webhookFailed();
        int attempts = e.attempts() + 1;
        Instant now = clock.instant();
        if (attempts >= config.maxAttempts()) {
            store.dead(e.id(), error, now);
            pending.decrementAndGet();
            metrics.webhookDead();
            LOG.warn(
                    "Webhook event {} ({}) is dead after {} attempts (hooks.max_attempts), the last: {}; "
                            + "see GET /api/v1/hooks/dead",
                    e.id(),
                    e.type(),
                    attempts,
                    error);
        } else {
            store.failed(e.id(), error, now, now.plus(backoff(attempts)));
        }
    }

    /** Full jitter: a random wait up to min(retry_cap, retry_base * 2^(attempts-1)). */
    Duration backoff(int attempts) {
        long cap = config.retryCap().toMillis();
        long base = config.retryBase().toMillis();
        int doublings = Math.min(attempts - 1, 40);
        long ceiling = base > (cap >> doublings) ? cap : Math.min(cap, base << doublings);
        return Duration.ofMillis(ThreadLocalRandom.current().nextLong(ceiling + 1));
    }

    private static void sleepQuietly(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
