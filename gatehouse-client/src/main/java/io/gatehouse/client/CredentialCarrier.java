package io.gatehouse.client;

/**
 * How the client hands its token to the server (docs/protocol.md, "Credentials"). Every carrier
 * authenticates the same way; they differ in where the token travels, which matters for logs and
 * proxies in between.
 */
public enum CredentialCarrier {
    /** {@code Authorization: Bearer <token>} on the upgrade request. The default. */
    AUTHORIZATION_HEADER,
    /**
     * The subprotocols {@code gatehouse.v1, gatehouse.bearer.<token>}; the server answers
     * {@code gatehouse.v1} only. For tokens made of subprotocol characters (JWTs, {@code ght_}).
     */
    SUBPROTOCOL,
    /**
     * {@code ?token=<token>} in the URL. Query strings end up in proxy logs; prefer another carrier.
     * The server may turn it off ({@code auth.allow_query_token: false}).
     */
    QUERY,
    /** No credential on the upgrade; the first message is {@code {"type":"auth","token":...}}. */
    AUTH_MESSAGE
}
