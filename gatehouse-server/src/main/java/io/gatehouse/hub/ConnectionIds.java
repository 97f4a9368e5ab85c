package io.gatehouse.hub;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Connection ids ({@code connection_id} of {@code connection_established}, the access log and the
 * API): 32 lower-case hex digits, random, unique on a node for as long as it runs. Not a secret:
 * what one may do with a connection id is what its listing in {@code GET /api/v1/connections}
 * already allows.
 */
public final class ConnectionIds {
    private static final Pattern SHAPE = Pattern.compile("[0-9a-f]{32}");

    private ConnectionIds() {}

    public static String generate() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return HexFormat.of().toHexDigits(r.nextLong()) + HexFormat.of().toHexDigits(r.nextLong());
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
