package io.gatehouse.client;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link GatehouseClient} connects. Build with {@link #builder()}; only {@code url} and
 * {@code tokenProvider} are required. Immutable; {@link #toString()} never shows a token.
 */
public final class ClientOptions {
    private final URI url;
    private final TokenProvider tokenProvider;
    private final CredentialCarrier carrier;
    private final Duration backoffBase;
    private final Duration backoffCap;
    private final Duration handshakeTimeout;
    private final double outboundPerSecond;
    private final int outboundBurst;
    private final ClientListener listener;

    private ClientOptions(Builder b) {
        this.url = Objects.requireNonNull(b.url, "url");
        this.tokenProvider = Objects.requireNonNull(b.tokenProvider, "tokenProvider");
        this.carrier = b.carrier;
        this.backoffBase = b.backoffBase;
        this.backoffCap = b.backoffCap;
        this.handshakeTimeout = b.handshakeTimeout;
        this.outboundPerSecond = b.outboundPerSecond;
        this.outboundBurst = b.outboundBurst;
        this.listener = b.listener;
        String scheme = url.getScheme();
        if (!"ws".equals(scheme) && !"wss".equals(scheme)) {
            throw new IllegalArgumentException("url must be ws://HOST/ws or wss://HOST/ws, not " + scheme + "://...");
        }
        if (backoffBase.isNegative() || backoffBase.isZero() || backoffCap.compareTo(backoffBase) < 0) {
            throw new IllegalArgumentException("backoff: the base must be positive and the cap at least the base");
        }
        if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
            throw new IllegalArgumentException("handshakeTimeout must be positive");
        }
        if (!(outboundPerSecond > 0) || outboundBurst < 1) {
            throw new IllegalArgumentException("outboundRate: the rate must be positive and the burst at least 1");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The WebSocket URL, {@code ws(s)://HOST/ws}. */
    public URI url() {
        return url;
    }

    public TokenProvider tokenProvider() {
        return tokenProvider;
    }

    public CredentialCarrier carrier() {
        return carrier;
    }

    /** The first reconnect delay's ceiling; each further attempt doubles it, up to {@link #backoffCap()}. */
    public Duration backoffBase() {
        return backoffBase;
    }

    public Duration backoffCap() {
        return backoffCap;
    }

    /** How long a connect may take, from the TCP connect to {@code connection_established}. */
    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    /** Messages per second a connection sends, once {@link #outboundBurst()} is used up. */
    public double outboundPerSecond() {
        return outboundPerSecond;
    }

    /** Messages a connection may send at once. */
    public int outboundBurst() {
        return outboundBurst;
    }

    public ClientListener listener() {
        return listener;
    }

    @Override
    public String toString() {
        return "ClientOptions[url=" + maskedUrl() + ", carrier=" + carrier + ", backoffBase=" + backoffBase
                + ", backoffCap=" + backoffCap + ", handshakeTimeout=" + handshakeTimeout + ", outboundRate="
                + outboundPerSecond + "/s burst "
                + outboundBurst + "]";
    }

    /** The URL without its query, which may hold a token a user put there by hand. */
    private String maskedUrl() {
        return url.getRawQuery() == null
                ? url.toString()
                : url.getScheme() + "://" + url.getRawAuthority() + url.getRawPath() + "?(masked)";
    }

    /** Builds {@link ClientOptions}. Not thread-safe. */
    public static final class Builder {
        private URI url;
        private TokenProvider tokenProvider;
        private CredentialCarrier carrier = CredentialCarrier.AUTHORIZATION_HEADER;
        private Duration backoffBase = Duration.ofMillis(500);
        private Duration backoffCap = Duration.ofSeconds(30);
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private double outboundPerSecond = 50;
        private int outboundBurst = 100;
        private ClientListener listener = new ClientListener() {};

        private Builder() {}

        /** The WebSocket URL, {@code ws(s)://HOST/ws}. Required. */
        public Builder url(URI url) {
            this.url = url;
            return this;
        }

        public Builder url(String url) {
            return url(URI.create(url));
        }

        /** Where tokens come from. Required. */
        public Builder tokenProvider(TokenProvider tokenProvider) {
            this.tokenProvider = tokenProvider;
            return this;
        }

        /** How the token travels; {@link CredentialCarrier#AUTHORIZATION_HEADER} by default. */
        public Builder carrier(CredentialCarrier carrier) {
            this.carrier = Objects.requireNonNull(carrier, "carrier");
            return this;
        }

        /** The reconnect backoff: full jitter, {@code random(0, min(cap, base * 2^attempt))}; 0.5 s and 30 s by default. */
        public Builder backoff(Duration base, Duration cap) {
            this.backoffBase = Objects.requireNonNull(base, "base");
            this.backoffCap = Objects.requireNonNull(cap, "cap");
            return this;
        }

        /** From the TCP connect to {@code connection_established}; 10 s by default. */
        public Builder handshakeTimeout(Duration timeout) {
            this.handshakeTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * Paces what a connection sends (requests, resubscribes): {@code burst} messages at once,
         * then {@code perSecond}; 50/s after a burst of 100 by default, half the server's default
         * {@code limits.messages_per_connection}, which closes a faster client with {@code 4429}.
         * Raise it only with the server's limit.
         */
        public Builder outboundRate(double perSecond, int burst) {
            this.outboundPerSecond = perSecond;
            this.outboundBurst = burst;
            return this;
        }

        /** The connection's listener; none by default. */
        public Builder listener(ClientListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        public ClientOptions build() {
            return new ClientOptions(this);
        }
    }
}
