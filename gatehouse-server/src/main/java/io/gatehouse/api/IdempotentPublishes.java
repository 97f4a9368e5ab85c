package io.gatehouse.api;

import io.gatehouse.auth.Fingerprint;
import io.gatehouse.broker.Broker;
import io.gatehouse.cluster.IdempotencyKeys;
import io.gatehouse.protocol.ChannelName;
import io.gatehouse.protocol.Publication;
import io.gatehouse.protocol.RefusalCode;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * The server API's publishes with an {@code idempotency_key} (docs/integrations.md): the first
 * publish of a key to a channel within publish.idempotency_window publishes; any later one with
 * the same key and channel (a retried job, on any node) publishes nothing and gets the first one's
 * offset and epoch. A repeat that arrives while the first is still under way waits for it (up to
 * {@value #PENDING_POLLS} times {@code PENDING_POLL}, then RATE_LIMITED). A publish that failed
 * leaves no trace: its retry publishes. Keys are 1 to {@value #MAX_KEY_CHARS} visible ASCII
 * characters; stored as the SHA-256 of key and channel.
 */
public final class IdempotentPublishes {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(IdempotentPublishes.class);
    static final int MAX_KEY_CHARS = 255;
    static final Duration PENDING_POLL = Duration.ofMillis(50);
    static final int PENDING_POLLS = 100;
    /**
     * How long a claim whose publish has not answered holds its key: a node that died holding one
     * does not block the key's retries for the whole window.
     */
    static final Duration PENDING_HOLD = Duration.ofSeconds(30);

    private final Broker broker;
    private final IdempotencyKeys keys;
    private final Duration window;

    /** @param window publish.idempotency_window */
    public IdempotentPublishes(Broker broker, Duration window) {
        this.broker = broker;
        this.keys = broker.idempotencyKeys();
        this.window = window;
    }

    /** Refuses a key that is not 1 to 255 visible ASCII characters (null is no key). */
    static void check(String idempotencyKey) {
        if (idempotencyKey == null) {
            return;
        }
        boolean visible = !idempotencyKey.isEmpty() && idempotencyKey.length() <= MAX_KEY_CHARS;
        for (int i = 0; visible && i < idempotencyKey.length(); i++) {
            visible = idempotencyKey.charAt(i) > 0x20 && idempotencyKey.charAt(i) < 0x7f;
        }
        if (!visible) {
            throw RequestBody.bad("idempotency_key must be 1 to " + MAX_KEY_CHARS
                    + " visible ASCII characters, such as a job id or a UUID");
        }
    }

    /** Publishes {@code dataJson} to {@code channel}, once per {@code idempotencyKey} (null: always). */
    CompletionStage<Publication> publish(ChannelName channel, String dataJson, String idempotencyKey) {
        if (idempotencyKey == null) {
            return broker.publish(channel, dataJson);
        }
        String key = hash(idempotencyKey, channel);
        return claimed(key, 0)
                .thenCompose(stored -> stored != null
                        ? CompletableFuture.completedFuture(read(stored, channel, dataJson))
                        : broker.publish(channel, dataJson)
                                .handle((p, failure) -> {
                                    if (failure != null) {
                                        keys.release(key).exceptionally(unreleased -> {
                                            LOG.warn(
                                                    "An idempotency key could not be released; its retries wait up to {} s",
                                                    PENDING_HOLD.toSeconds());
                                            return null;
                                        });
                                        return CompletableFuture.<Publication>failedFuture(failure);
                                    }
                                    return keys.settle(key, write(p), window)
                                            .handle((ok, unstored) -> p)
                                            .toCompletableFuture();
                                })
                                .thenCompose(p -> p));
    }

    /** Null once this call claimed {@code key}, else the stored result (waiting while its publish is under way). */
    private CompletionStage<String> claimed(String key, int polls) {
        return keys.claim(key, window.compareTo(PENDING_HOLD) < 0 ? window : PENDING_HOLD)
                .handle((stored, failure) -> {
                    if (failure != null) {
                        throw RefusalCode.BACKEND_UNAVAILABLE
                                .refusal("The idempotency keys (the broker) could not be read; retry shortly")
                                .retryAfter(1000)
                                .asException();
                    }
                    return stored;
                })
                .thenCompose(stored -> {
                    if (!IdempotencyKeys.PENDING.equals(stored)) {
                        return CompletableFuture.completedFuture(stored);
                    }
                    if (polls >= PENDING_POLLS) {
                        throw RefusalCode.RATE_LIMITED
                                .refusal(
                                        "A publish with this idempotency_key is still under way; retry once it answered")
                                .retryAfter(1000)
                                .asException();
                    }
                    return CompletableFuture.supplyAsync(
                                    () -> null,
                                    CompletableFuture.delayedExecutor(PENDING_POLL.toMillis(), TimeUnit.MILLISECONDS))
                            .thenCompose(later -> claimed(key, polls + 1));
                });
    }

    private static String write(Publication p) {
        return p.offset() + " " + p.epoch() + " " + p.publishedAt();
    }

    /** The first publish, as stored; its data is the same as this request's by contract. */
    private static Publication read(String stored, ChannelName channel, String dataJson) {
        String[] f = stored.split(" ", 3);
        return new Publication(channel.value(), Long.parseLong(f[0]), f[1], dataJson, Instant.parse(f[2]));
    }

    /** The SHA-256 hex of key and channel (a newline apart: neither holds one). */
    private static String hash(String idempotencyKey, ChannelName channel) {
        return Fingerprint.credentialId(idempotencyKey + '\n' + channel.value());
    }
}
