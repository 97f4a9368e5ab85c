package io.gatehouse;

import io.gatehouse.accesslog.AccessLog;
import io.gatehouse.auth.ApiKeyVerifier;
import io.gatehouse.auth.CredentialExtractor;
import io.gatehouse.auth.CredentialVerifier;
import io.gatehouse.auth.OriginPolicy;
import io.gatehouse.auth.Sessions;
import io.gatehouse.auth.TokenIssuer;
import io.gatehouse.broker.Broker;
import io.gatehouse.config.GatehouseConfig;
import io.gatehouse.hub.ChannelAccess;
import io.gatehouse.hub.Hub;
import io.gatehouse.hub.RevocationWatcher;
import io.gatehouse.limits.RequestLimits;
import io.gatehouse.metrics.GatehouseMetrics;
import io.gatehouse.protocol.MessageCodec;
import io.gatehouse.store.Database;
import io.gatehouse.store.TokenStore;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.ExecutorService;

/**
 * The services one Gatehouse node shares among its connections and HTTP handlers. Built by
 * {@link Gatehouse}; everything in it is thread-safe.
 *
 * @param blocking where database and other blocking calls run, never an event loop
 */
public record Node(
        GatehouseConfig config,
        Clock clock,
        Instant startedAt,
        MessageCodec codec,
        Database database,
        Broker broker,
        Hub hub,
        ChannelAccess channelAccess,
        CredentialExtractor credentials,
        OriginPolicy origins,
        CredentialVerifier credentialVerifier,
        Sessions sessions,
        TokenIssuer tokenIssuer,
        TokenStore tokens,
        RevocationWatcher revocationWatcher,
        ApiKeyVerifier apiKeys,
        AccessLog accessLog,
        GatehouseMetrics metrics,
        RequestLimits limits,
        Lifecycle lifecycle,
        ExecutorService blocking) {}
