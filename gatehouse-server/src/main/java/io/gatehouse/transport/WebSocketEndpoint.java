package io.gatehouse.transport;

import io.gatehouse.accesslog.AccessLog;
import io.gatehouse.auth.CredentialExtractor;
import io.gatehouse.auth.CredentialVerifier;
import io.gatehouse.config.GatehouseConfig;
import io.gatehouse.connection.ClientProtocol;
import io.gatehouse.metrics.GatehouseMetrics;

/**
 * What an upgrade on {@code /ws} needs besides the {@link HttpEndpoint}'s limits and origin policy,
 * from its checks to an open connection (SPEC §2, §3, §7, §8): whether the node is draining, how
 * to find and verify the credential, where attempts are recorded, the client protocol that takes
 * the socket, and the WebSocket side's settings. Built by {@code Gatehouse}.
 *
 * @param maxMessageBytes limits.max_message_bytes
 * @param outboundBufferBytes limits.outbound_buffer, an authenticated connection's write buffer
 */
public record WebSocketEndpoint(
        Lifecycle lifecycle,
        CredentialExtractor credentials,
        CredentialVerifier verifier,
        AccessLog accessLog,
        ClientProtocol clients,
        GatehouseConfig.Heartbeat heartbeat,
        int maxMessageBytes,
        int outboundBufferBytes,
        GatehouseMetrics metrics) {}
