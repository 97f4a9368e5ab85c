package io.gatehouse.broker;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Control commands kept for a short while, so that a node whose pub/sub connection was down does
 * not lose them (pub/sub keeps nothing): each is appended to a capped stream ({@code PREFIX
 * control:log}) and PUBLISHed, with its stream id, by one script, so the stream's order is the
 * pub/sub order. When Redis confirms the control subscription again after a reconnect, the node
 * reads the stream after the last command it delivered (no further back than {@link #REPLAY}) and
 * delivers, in the control lane, what it missed, before the live ones that arrived meanwhile
 * ({@link RedisDeliveries} holds them back and drops what it delivered already).
 */
final class RedisControlLog {
    /** Commands kept in the stream, about (MAXLEN ~). */
    static final int KEPT = 1000;

    /**
     * How far back a node that was cut off reads: a disconnect much older than this would close
     * connections opened since, which it was not meant for. Revocations are sent again by the
     * journal until the broker takes them, whatever their age.
     */
    static final Duration REPLAY = Duration.ofMinutes(1);

    /** A failed read is tried again after this, up to {@link #READ_ATTEMPTS} times. */
    static final Duration READ_RETRY = RedisRecoveries.READ_RETRY;

    static final int READ_ATTEMPTS = RedisRecoveries.READ_ATTEMPTS;

    /** The id of a command published without being kept in the log ({@link #keeps}). */
    static final String UNLOGGED = "-";

    /**
     * KEYS: log, control pub/sub channel; ARGV: the message, MAXLEN, the log's ttl (ms), 1 to keep
     * it in the log. Returns the id ({@link #UNLOGGED} when not kept).
     */
    private static final String APPEND = "local id = '" + UNLOGGED + "'\n"
            + "if ARGV[4] == '1' then\n"
            + "  id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'm', ARGV[1])\n"
            + "  redis.call('PEXPIRE', KEYS[1], ARGV[3])\n"
            + "end\n"
            + "redis.call('PUBLISH', KEYS[2], id .. ' ' .. ARGV[1])\n"
            + "return id";

    /** KEYS: log; ARGV: the oldest age to read (ms), COUNT. Returns id, message, id, message ... oldest first. */
    private static final String READ = "local t = redis.call('TIME')\n"
            + "local oldest = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) - tonumber(ARGV[1])\n"
            + "local out = {}\n"
            + "for _, e in ipairs(redis.call('XRANGE', KEYS[1], string.format('%d', oldest), '+', 'COUNT', ARGV[2])) do\n"
            + "  out[#out + 1] = e[1]\n"
            + "  out[#out + 1] = e[2][2]\n"
            + "end\n"
            + "return out";

    private final RedisAsyncCommands<String, String> commands;
    private final String log;
    private final String control;
    private final RedisDeliveries deliveries;
    private final BooleanSupplier closed;
    private final Executor retries;

    RedisControlLog(
            RedisAsyncCommands<String, String> commands,
            RedisKeys keys,
            RedisDeliveries deliveries,
            BooleanSupplier closed,
            Executor threads) {
        this.commands = commands;
        this.control = keys.control();
        this.log = control + ":log";
        this.deliveries = deliveries;
        this.closed = closed;
        this.retries = CompletableFuture.delayedExecutor(READ_RETRY.toMillis(), TimeUnit.MILLISECONDS, threads);
    }

    /**
     * Whether {@code command} is kept in the log for nodes that were cut off: every command but a
     * task's push, which comes often and is superseded by the next one (a node that missed it shows
     * the task at its owner's next connect); so the pushes never crowd disconnects out of the log.
     */
    static boolean keeps(ControlCommand command) {
        return !(command instanceof ControlCommand.TaskChanged);
    }

    /**
     * Publishes {@code message} (ORIGIN COMMAND), appended to the log first when {@code kept};
     * completes (on a Lettuce thread) with its id.
     */
    CompletableFuture<String> append(String message, boolean kept) {
        try {
            return commands.<String>eval(
                            APPEND,
                            ScriptOutputType.VALUE,
                            new String[] {log, control},
                            message,
                            Integer.toString(KEPT),
                            Long.toString(REPLAY.toMillis() * 2),
                            kept ? "1" : "0")
                    .toCompletableFuture();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Redis confirmed the control subscription again after a reconnect: deliver what was missed. */
    void resubscribed() {
        if (closed.getAsBoolean()) {
            return;
        }
        int recovery = deliveries.holdControl();
        read(READ_ATTEMPTS).whenComplete((entries, failure) -> deliveries.controlRecovered(recovery, entries));
    }

    private CompletableFuture<List<String>> read(int attemptsLeft) {
        CompletableFuture<List<Object>> read;
        try {
            read = commands.<List<Object>>eval(
                            READ,
                            ScriptOutputType.MULTI,
                            new String[] {log},
                            Long.toString(REPLAY.toMillis()),
                            Integer.toString(KEPT))
                    .toCompletableFuture();
        } catch (RuntimeException e) {
            read = CompletableFuture.failedFuture(e);
        }
        return read.thenApply(RedisControlLog::messages).exceptionallyCompose(failure -> {
            if (attemptsLeft <= 1 || closed.getAsBoolean()) {
                return CompletableFuture.failedFuture(failure);
            }
            return CompletableFuture.runAsync(() -> {}, retries).thenCompose(v -> read(attemptsLeft - 1));
        });
    }

    /** The script's id, message pairs as the messages the control channel carries: {@code ID ORIGIN COMMAND}. */
    private static List<String> messages(List<Object> reply) {
        List<String> messages = new ArrayList<>(reply.size() / 2);
        for (int i = 0; i + 1 < reply.size(); i += 2) {
            messages.add(reply.get(i) + " " + reply.get(i + 1));
        }
        return messages;
    }

    /** Whether stream id {@code a} comes after {@code b} (both {@code MS-SEQ}). */
    static boolean isAfter(String a, String b) {
        int da = a.indexOf('-');
        int db = b.indexOf('-');
        long ma = Long.parseLong(a.substring(0, da));
        long mb = Long.parseLong(b.substring(0, db));
        if (ma != mb) {
            return ma > mb;
        }
        return Long.parseLong(a.substring(da + 1)) > Long.parseLong(b.substring(db + 1));
    }
}
