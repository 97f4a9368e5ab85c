package io.gatehouse.transport;

import io.gatehouse.api.HttpApi;
import io.gatehouse.auth.OriginPolicy;
import io.gatehouse.config.GatehouseConfig;
import io.gatehouse.limits.RequestLimits;

/**
 * What every connection's HTTP side is built from: where to listen and its timeouts, the API its
 * requests go to, the front door's limits (connections per IP, and the client's address behind
 * trusted proxies), and the origin policy that says what the server's own origin is. Built by
 * {@code Gatehouse}; the WebSocket upgrade shares the limits and the origin policy.
 */
public record HttpEndpoint(GatehouseConfig.Server config, HttpApi api, RequestLimits limits, OriginPolicy origins) {}
