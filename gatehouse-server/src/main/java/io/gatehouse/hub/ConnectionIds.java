package io.gatehouse.hub;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Connection ids ({@code connection_id} of {@code connection_established}, the access log and the
 * API): 32 lower-case hex digits, the first 12 the millisecond it was made (Unix time), the other
 * 20 random (80 bits), so unique across nodes. Not a secret: what one may do with a connection id is
 * what its listing in {@code GET /api/v1/connections} already allows.
 *
 * <p>Time first so that ids made one after another sort one after another: the access log's index
 * on {@code connection_id} then grows at its end instead of at random pages (a random id made each
 * row's insert about three times as costly in the embedded database, docs/benchmarks.md).
 */
public final class ConnectionIds {
    private static final Pattern SHAPE = Pattern.compile("[0-9a-f]{32}");

    private ConnectionIds() {}

    public static String generate() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        HexFormat hex = HexFormat.of();
        // 12 digits of time, then 4 + 16 random digits.
        return hex.toHexDigits(System.currentTimeMillis()).substring(4)
                + hex.toHexDigits((short) r.nextInt())
                + hex.toHexDigits(r.nextLong());
    }

    /** Whether {@code id} is shaped like a connection id (a quick check before any lookup). */
    public static boolean isWellFormed(String id) {
        return id != null && SHAPE.matcher(id).matches();
    }

    /** The hint for an id that is not. */
    public static String shapeHint() {
        return "A connection id is 32 lower-case hex digits (connection_id in GET /api/v1/connections)";
    }
}
