package io.gatehouse.broker;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The Lua scripts of the {@link RedisBroker}: each is one atomic step. They are kept in
 * {@code io/gatehouse/broker/redis-*.lua}, each run after the shared {@code redis-time.lua} (and
 * those on one channel's keys after {@code redis-channel.lua}), and called by SHA ({@code EVALSHA}); a Redis that does not know a
 * script (restarted, {@code SCRIPT FLUSH}) gets its text once with {@code EVAL}, which also caches it.
 */
final class RedisScripts {
    /** One script: its text (the shared parts and its own) and the SHA-1 Redis knows it by. */
    enum Script {
        /** Offset, history entry and PUBLISH of one publication. */
        PUBLISH(ON_CHANNEL, "redis-publish.lua"),
        /** The position, creating the epoch if there is none. */
        POSITION(ON_CHANNEL, "redis-position.lua"),
        /** Kept publications and the position, read at one instant. */
        HISTORY(ON_CHANNEL, "redis-history.lua"),
        /** A client listed in a channel's presence and counted in its node's index. */
        PRESENCE_ADD(NOTHING, "redis-presence-add.lua"),
        /** A client unlisted, and uncounted. */
        PRESENCE_REMOVE(NOTHING, "redis-presence-remove.lua"),
        /** A channel's presence, without the entries of dead nodes. */
        PRESENCE_READ(NOTHING, "redis-presence-read.lua"),
        /** A node's heartbeat, claiming the nodes whose heartbeat stopped. */
        NODE_HEARTBEAT(NOTHING, "redis-node-heartbeat.lua"),
        /** One step of removing a dead node's presence entries. */
        NODE_REAP(NOTHING, "redis-node-reap.lua"),
        /** Takes, checks or gives back tokens of one or more buckets of a limit, all or none. */
        LIMIT_BUCKET(NOTHING, "redis-limit-bucket.lua"),
        /** Adds to or takes from this node's open connections in one or more counts of a limit. */
        LIMIT_COUNT(NOTHING, "redis-limit-count.lua"),
        /** The newest statistics of the nodes that count as alive. */
        STATS_ALIVE(NOTHING, "redis-stats-alive.lua");

        final String text;
        final String sha;

        Script(String shared, String file) {
            this.text = resource("redis-time.lua") + "\n" + shared + resource(file);
            this.sha = sha1(text);
        }
    }

    /** What a script on one channel's keys starts with (KEYS[1] meta, KEYS[2] history). */
    private static final String ON_CHANNEL = resource("redis-channel.lua") + "\n";

    private static final String NOTHING = "";

    private final RedisAsyncCommands<String, String> commands;

    RedisScripts(RedisAsyncCommands<String, String> commands) {
        this.commands = commands;
    }

    /**
     * Loads every script into Redis's cache, so that the first calls go by SHA; waits (bounded by
     * the command timeout): for start-up, not for an event loop.
     */
    void load() throws InterruptedException, ExecutionException {
        for (Script s : Script.values()) {
            String sha = commands.scriptLoad(s.text).get();
            if (!sha.equals(s.sha)) {
                throw new IllegalStateException("Redis knows " + s + " as " + sha + ", not " + s.sha);
            }
        }
    }

    /**
     * Runs {@code script} on {@code keys} with {@code args}; the reply (a list) completes the stage on
     * a Lettuce thread, so callers hand their work on.
     */
    CompletableFuture<List<Object>> run(Script script, String[] keys, String... args) {
        CompletableFuture<List<Object>> bySha = commands.<List<Object>>evalsha(
                        script.sha, ScriptOutputType.MULTI, keys, args)
                .toCompletableFuture();
        return bySha.exceptionallyCompose(failure -> {
            if (unwrap(failure) instanceof RedisNoScriptException) {
                return commands.<List<Object>>eval(script.text, ScriptOutputType.MULTI, keys, args)
                        .toCompletableFuture();
            }
            return CompletableFuture.failedFuture(unwrap(failure));
        });
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    private static String resource(String file) {
        try (InputStream in = RedisScripts.class.getResourceAsStream(file)) {
            if (in == null) {
                throw new IllegalStateException("missing resource io/gatehouse/broker/" + file);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha1(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-1", e);
        }
    }
}
