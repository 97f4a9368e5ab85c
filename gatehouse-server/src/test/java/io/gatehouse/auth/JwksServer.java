package io.gatehouse.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A token issuer's JWKS endpoint for tests: the JDK's HTTP server on 127.0.0.1 and a free port,
 * serving whatever keys the test sets, counting requests, optionally slow. Also signs tokens with
 * a {@code kid}, which {@code Jwts} does not.
 */
final class JwksServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService handlers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "jwks-server");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile String body = new JWKSet().toString(true);
    private volatile Duration delay = Duration.ZERO;
    private volatile CountDownLatch held;
    private volatile boolean refuseH2c;

    private JwksServer() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/jwks.json", exchange -> {
            requests.incrementAndGet();
            if (refuseH2c && exchange.getRequestHeaders().containsKey("Upgrade")) {
                // As uvicorn < 0.19 does with the JDK client's HTTP/2 upgrade attempt.
                byte[] bad = "Invalid HTTP request received.".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(400, bad.length);
                exchange.getResponseBody().write(bad);
                exchange.close();
                return;
            }
            try {
                CountDownLatch gate = held;
                if (gate != null) {
                    gate.await(); // until the test releases it (or the server closes)
                }
                Thread.sleep(delay.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/jwk-set+json");
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.setExecutor(handlers); // a slow response must not hold up the others
        server.start();
    }

    static JwksServer start() {
        return new JwksServer();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/jwks.json");
    }

    /** Serves these keys, public parts only, from the next request on. */
    JwksServer serve(JWK... keys) {
        body = new JWKSet(List.of(keys)).toString(true);
        return this;
    }

    /** Each response waits this long first (handlers run on their own threads, so others are not held up). */
    JwksServer delay(Duration d) {
        delay = d;
        return this;
    }

    /**
     * Holds every response until the returned latch is counted down: a server slower than any
     * wall-clock bound, so a test can show that something did not wait for it without timing it.
     */
    CountDownLatch holdResponses() {
        CountDownLatch gate = new CountDownLatch(1);
        held = gate;
        return gate;
    }

    /** Answers 400 to a request with an {@code Upgrade} header (h2c), as uvicorn before 0.19 does. */
    JwksServer refuseH2cUpgrade() {
        refuseH2c = true;
        return this;
    }

    int requests() {
        return requests.get();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        server.stop(0);
        handlers.shutdownNow();
    }

    static JWK rsaJwk(KeyPair keys, String kid) {
        return new RSAKey.Builder((RSAPublicKey) keys.getPublic()).keyID(kid).build();
    }

    static JWK ecJwk(KeyPair keys, String kid) {
        return new ECKey.Builder(Curve.P_256, (ECPublicKey) keys.getPublic())
                .keyID(kid)
                .build();
    }

    static String rs256(JWTClaimsSet.Builder claims, KeyPair keys, String kid) {
        return sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(kid).build(), claims, keys);
    }

    static String es256(JWTClaimsSet.Builder claims, KeyPair keys, String kid) {
        return sign(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(kid).build(), claims, keys);
    }

    private static String sign(JWSHeader header, JWTClaimsSet.Builder claims, KeyPair keys) {
        SignedJWT jwt = new SignedJWT(header, claims.build());
        try {
            jwt.sign(
                    header.getAlgorithm().equals(JWSAlgorithm.ES256)
                            ? new ECDSASigner((ECPrivateKey) keys.getPrivate())
                            : new RSASSASigner(keys.getPrivate()));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }
}
