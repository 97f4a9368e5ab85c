package io.gatehouse.jmh;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.gatehouse.Gatehouse;
import io.gatehouse.config.ConfigLoader;
import io.gatehouse.config.ConfigSources;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A real Gatehouse node in the benchmark's JVM, as the server's tests start one: embedded
 * defaults (H2 in a temporary data directory, the in-memory broker), port 0, an HS256 secret, and
 * the per-IP and per-credential limits lifted (a benchmark is one client address and reuses its
 * tokens). Only public entry points: {@link Gatehouse#start}, {@link ConfigLoader}, {@link ConfigSources}.
 */
final class InProcessNode implements AutoCloseable {
    static final String SECRET = "jmh-secret-that-is-at-least-32-bytes-long!";

    private static final String UNLIMITED = "{rate: 1000000000, burst: 1000000000}";

    private final Path dir;
    private final Gatehouse gatehouse;

    private InProcessNode(Path dir, Gatehouse gatehouse) {
        this.dir = dir;
        this.gatehouse = gatehouse;
    }

    static InProcessNode start() {
        try {
            Path dir = Files.createTempDirectory("gatehouse-jmh");
            Path yaml = dir.resolve("config.yaml");
            Files.writeString(
                    yaml,
                    String.join(
                            "\n",
                            "data_dir: " + dir.resolve("data"),
                            "server:",
                            "  port: 0",
                            "auth:",
                            "  jwt:",
                            "    secret: " + SECRET,
                            "limits:",
                            "  upgrades_per_ip: " + UNLIMITED,
                            "  upgrades_per_credential: " + UNLIMITED,
                            "  auth_failures_per_ip: " + UNLIMITED,
                            "  connections_per_ip: 1000000",
                            ""));
            Gatehouse node = Gatehouse.start(
                    ConfigLoader.load(new ConfigSources().yamlFile(yaml)), Clock.systemUTC(), line -> {});
            return new InProcessNode(dir, node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Gatehouse gatehouse() {
        return gatehouse;
    }

    /** {@code count} HS256 JWTs of users {@code jmh-0 ...}, each with its own jti, valid for an hour. */
    static List<String> tokens(int count) {
        try {
            MACSigner signer = new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8));
            Date expiry = Date.from(Instant.now().plus(Duration.ofHours(1)));
            List<String> out = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                SignedJWT jwt = new SignedJWT(
                        new JWSHeader(JWSAlgorithm.HS256),
                        new JWTClaimsSet.Builder()
                                .subject("jmh-" + i)
                                .expirationTime(expiry)
                                .jwtID(UUID.randomUUID().toString())
                                .build());
                jwt.sign(signer);
                out.add(jwt.serialize());
            }
            return out;
        } catch (JOSEException e) {
            throw new IllegalStateException("HS256 signing failed", e);
        }
    }

    @Override
    public void close() {
        gatehouse.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind
        }
    }
}
