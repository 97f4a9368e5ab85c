package io.gatehouse.probe;

import java.time.Duration;

/**
 * How far each abuse scenario goes before it stops by itself, and where its verdicts turn.
 *
 * @param floodFor how long the ping flood lasts
 * @param floodBytes the most the ping flood sends; a server that reads it all is buffering pongs
 * @param stall how long writes may make no progress before the server counts as having stopped reading
 * @param oversizedBytes the size of the oversized message
 * @param subscriptions how many subscriptions are asked for on one connection
 * @param subscribesPerSecond the pace of the subscriptions, under the server's message rate limit
 * @param refusals how many refused credentials are sent in a row
 * @param refusalsFor the most time the refused credentials may take in all
 * @param slowClose a silent connection held longer than this gets a WARN
 * @param giveUp a silent connection held this long is given up on: UNSAFE
 */
public record AbuseLimits(
        Duration floodFor,
        long floodBytes,
        Duration stall,
        int oversizedBytes,
        int subscriptions,
        int subscribesPerSecond,
        int refusals,
        Duration refusalsFor,
        Duration slowClose,
        Duration giveUp) {

    /** The limits of {@code --abuse}: docs/probe.md names each. */
    public static final AbuseLimits DEFAULT = new AbuseLimits(
            Duration.ofSeconds(5),
            64L * 1024 * 1024,
            Duration.ofSeconds(1),
            1024 * 1024,
            1_000,
            50,
            50,
            Duration.ofSeconds(60),
            Duration.ofSeconds(30),
            Duration.ofSeconds(65));

    public AbuseLimits {
        if (slowClose.compareTo(giveUp) >= 0) {
            throw new IllegalArgumentException("slowClose must be shorter than giveUp");
        }
    }
}
