package io.gatehouse.proxy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.auth.Principal;
import io.gatehouse.concurrent.ExpiringCache;
import io.gatehouse.concurrent.Failures;
import io.gatehouse.concurrent.Threads;
import io.gatehouse.config.ConfigKey;
import io.gatehouse.config.GatehouseConfig;
import io.gatehouse.hooks.WebhookSignature;
import io.gatehouse.http.BoundedBody;
import io.gatehouse.protocol.ChannelName;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.protocol.UserInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the application (channels.proxy.url) whether a user may subscribe to a channel and whether
 * a client's publish goes out, and with what data (docs/integrations.md). Each call is a signed
 * HTTP/1.1 POST ({@link WebhookSignature}, every configured secret), sent and answered off the
 * event loops on this proxy's own two threads, answered within channels.proxy.timeout or
 * BACKEND_UNAVAILABLE. Subscribe decisions are cached per (user, channel) for
 * channels.proxy.cache_ttl (an allow no longer than its expires_at), and concurrent asks for the
 * same pair share one call. Bounded: at most {@value #MAX_CALLS} calls under way (more get
 * BACKEND_UNAVAILABLE at once), answers of at most {@value #MAX_ANSWER_BYTES} bytes, at most
 * {@value #MAX_DECISIONS} cached decisions.
 */
public final class ChannelProxy implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ChannelProxy.class);
    static final int MAX_CALLS = 256;
    static final int MAX_ANSWER_BYTES = 64 * 1024;
    static final int MAX_DECISIONS = 100_000;

    private final GatehouseConfig.Proxy config;
    private final URI url;
    private final Clock clock;
    private final ObjectMapper json;
    private final ProxyAnswers answers;
    private final ExecutorService threads;
    private final HttpClient http;
    private final Semaphore calls = new Semaphore(MAX_CALLS);
    private final ExpiringCache<SubscribeDecision> decisions;
    private final ConcurrentHashMap<String, CompletableFuture<SubscribeDecision>> asking = new ConcurrentHashMap<>();
    /** Counts {@link #forget} calls: an answer asked before one is not cached. */
    private final java.util.concurrent.atomic.AtomicLong forgets = new java.util.concurrent.atomic.AtomicLong();

    public ChannelProxy(GatehouseConfig.Proxy config, Clock clock, ObjectMapper json) {
        if (!config.enabled()) {
            throw new IllegalArgumentException(ConfigKey.CHANNELS_PROXY_URL.key() + " is empty; the proxy is off");
        }
        this.config = config;
        this.url = URI.create(config.url());
        this.clock = clock;
        this.json = json;
        this.answers = new ProxyAnswers(json, clock);
        this.decisions = new ExpiringCache<>(clock, MAX_DECISIONS);
        this.threads = Executors.newFixedThreadPool(2, Threads.daemon("gatehouse-proxy"));
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.timeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(threads)
                .build();
    }

    /**
     * Whether {@code principal} may subscribe to {@code channel}: the cached decision, the answer
     * of a call already under way for the same user and channel, or a new call. Completes on this
     * proxy's threads (or at once); never fails.
     */
    public CompletionStage<SubscribeDecision> subscribe(
            Principal principal, ChannelName channel, String connectionId, String instance) {
        String key = principal.user().id() + '\n' + channel.value();
        SubscribeDecision cached = decisions.get(key);
        if (cached != null) {
            return CompletableFuture.completedFuture(cached);
        }
        CompletableFuture<SubscribeDecision> call = new CompletableFuture<>();
        CompletableFuture<SubscribeDecision> running = asking.putIfAbsent(key, call);
        if (running != null) {
            return running.copy();
        }
        cached = decisions.get(key); // a call may have ended between the first look and putIfAbsent
        if (cached != null) {
            asking.remove(key, call);
            call.complete(cached);
            return call.copy();
        }
        long generation = forgets.get();
        CompletableFuture<SubscribeDecision> asked;
        try {
            asked = ask(
                    request("subscribe", principal, channel, connectionId, instance, null),
                    answers::subscribe,
                    SubscribeDecision::refuse);
        } catch (RuntimeException e) {
            asked = CompletableFuture.failedFuture(e);
        }
        asked.whenComplete((decision, failure) -> {
            SubscribeDecision d = failure == null
                    ? decision
                    : SubscribeDecision.refuse(RefusalCode.BACKEND_UNAVAILABLE.refusal(
                            "The call to " + ConfigKey.CHANNELS_PROXY_URL.key() + " failed; back off and retry"));
            try {
                if (forgets.get() == generation) { // a forget meanwhile: this answer may be out of date
                    remember(key, d);
                }
            } finally {
                asking.remove(key, call); // after remember: whoever misses the call finds the answer
                call.complete(d);
            }
        });
        return call.copy();
    }

    /**
     * What becomes of a client's publish of {@code dataJson}: one call each, never cached.
     * Completes on this proxy's threads; never fails.
     */
    public CompletionStage<PublishDecision> publish(
            Principal principal, ChannelName channel, String connectionId, String instance, String dataJson) {
        return ask(
                request("publish", principal, channel, connectionId, instance, dataJson),
                (status, body) -> answers.publish(status, body, dataJson),
                PublishDecision::refuse);
    }

    /**
     * Forgets the cached decision for {@code userId} and {@code channel}: the next subscribe asks.
     * An answer under way now is not cached either (it may predate what made the caller forget).
     */
    public void forget(String userId, ChannelName channel) {
        forgets.incrementAndGet();
        decisions.remove(userId + '\n' + channel.value());
    }

    /** A denial is kept as long as an allow: the same question gets the same answer until cache_ttl. */
    private void remember(String key, SubscribeDecision d) {
        if (config.cacheTtl().isZero() || (!d.allowed() && d.refusal().code() == RefusalCode.BACKEND_UNAVAILABLE)) {
            return;
        }
        Instant until = clock.instant().plus(config.cacheTtl());
        decisions.put(key, d, d.expiresAt() != null && d.expiresAt().isBefore(until) ? d.expiresAt() : until);
    }

    private String request(
            String action,
            Principal principal,
            ChannelName channel,
            String connectionId,
            String instance,
            String dataJson) {
        ObjectNode body = json.createObjectNode();
        body.put("action", action);
        body.put("channel", channel.value());
        UserInfo user = principal.user().info();
        ObjectNode u = body.putObject("user");
        u.put("id", user.id());
        u.put("name", user.name());
        user.roles().forEach(u.putArray("roles")::add);
        body.put("connection_id", connectionId);
        body.put("instance", instance);
        if (dataJson != null) {
            try {
                body.set("data", json.readTree(dataJson));
            } catch (IOException e) {
                throw new UncheckedIOException("a client's data was parsed once already", e);
            }
        }
        return body.toString();
    }

    /** One call; every outcome, an outage too, is what {@code judge} or {@code refuse} makes of it. */
    private <D> CompletableFuture<D> ask(
            String body, AnswerReader<D> judge, Function<io.gatehouse.protocol.Refusal, D> refuse) {
        if (!calls.tryAcquire()) {
            return CompletableFuture.completedFuture(
                    refuse.apply(RefusalCode.BACKEND_UNAVAILABLE.refusal(MAX_CALLS + " calls to "
                            + ConfigKey.CHANNELS_PROXY_URL.key() + " are under way already; back off and retry")));
        }
        CompletableFuture<HttpResponse<byte[]>> sent;
        try {
            HttpRequest request = HttpRequest.newBuilder(url)
                    .timeout(config.timeout())
                    .header("Content-Type", "application/json")
                    .header("Accept", "application/json")
                    .header(
                            WebhookSignature.HEADER,
                            WebhookSignature.header(
                                    config.secrets(), clock.instant().getEpochSecond(), body))
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build();
            sent = http.sendAsync(request, info -> new BoundedBody(MAX_ANSWER_BYTES));
        } catch (RuntimeException e) { // e.g. the executor refused the call while closing
            calls.release();
            return CompletableFuture.completedFuture(refuse.apply(RefusalCode.BACKEND_UNAVAILABLE.refusal(
                    "The call to " + ConfigKey.CHANNELS_PROXY_URL.key() + " could not be sent; back off and retry")));
        }
        // The request timeout covers the status line; this deadline also covers a body that stalls.
        return sent.copy()
                .orTimeout(config.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .handle((response, failure) -> {
                    calls.release();
                    if (failure != null) {
                        sent.cancel(true);
                        return refuse.apply(
                                RefusalCode.BACKEND_UNAVAILABLE.refusal(failedCallHint(Failures.cause(failure))));
                    }
                    if (response.statusCode() >= 500) {
                        LOG.warn("{} answered HTTP {}", ConfigKey.CHANNELS_PROXY_URL.key(), response.statusCode());
                    }
                    try {
                        return judge.read(response.statusCode(), response.body());
                    } catch (RuntimeException unreadable) {
                        LOG.warn("{} answered what cannot be read", ConfigKey.CHANNELS_PROXY_URL.key(), unreadable);
                        return refuse.apply(RefusalCode.BACKEND_UNAVAILABLE.refusal(ConfigKey.CHANNELS_PROXY_URL.key()
                                + " answered what cannot be read; back off and retry"));
                    }
                });
    }

    private interface AnswerReader<D> {
        D read(int status, byte[] body);
    }

    private String failedCallHint(Throwable failure) {
        String key = ConfigKey.CHANNELS_PROXY_URL.key();
        if (failure instanceof HttpConnectTimeoutException || failure instanceof ConnectException) {
            return key + " could not be reached; back off and retry";
        }
        if (failure instanceof HttpTimeoutException || failure instanceof TimeoutException) {
            return key + " did not answer within " + config.timeout().toMillis() + " ms ("
                    + ConfigKey.CHANNELS_PROXY_TIMEOUT.key() + "); back off and retry";
        }
        if (failure instanceof BoundedBody.TooLarge) {
            return key + " answered more than " + MAX_ANSWER_BYTES + " bytes; back off and retry";
        }
        return "The call to " + key + " failed; back off and retry";
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }
}
