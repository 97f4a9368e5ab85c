package io.gatehouse.protocol;

/**
 * The WebSocket subprotocol names of Gatehouse (SPEC §2). A client offers
 * {@code Sec-WebSocket-Protocol: gatehouse.v1, gatehouse.bearer.<token>}; the server answers
 * {@value #V1} only and never echoes the token.
 */
public final class Subprotocols {
    /** The message protocol (SPEC §4): what the server answers and a client offers. */
    public static final String V1 = "gatehouse.v1";

    /** A token carrier, {@code gatehouse.bearer.<token>}: offered by a client, never answered. */
    public static final String BEARER_PREFIX = "gatehouse.bearer.";

    private Subprotocols() {}
}
