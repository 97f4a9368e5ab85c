package io.gatehouse.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.Gatehouse;
import io.gatehouse.auth.ApiKeyVerifier;
import io.gatehouse.auth.SecretToken;
import io.gatehouse.auth.TokenIssuer;
import io.gatehouse.auth.User;
import io.gatehouse.config.ConfigKey;
import io.gatehouse.config.ConfigLoader;
import io.gatehouse.config.ConfigSources;
import io.gatehouse.store.ApiKeyRecord;
import io.gatehouse.store.ApiKeyStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Gatehouse server on a free loopback port with its own temporary data directory, for
 * end-to-end tests. Configure with {@link #with}, then {@link #start}, or register it as a JUnit
 * extension ({@code @RegisterExtension static final TestGatehouse server = new TestGatehouse()...})
 * to start it before the class's tests and close it after.
 */
public final class TestGatehouse implements AutoCloseable, BeforeAllCallback, AfterAllCallback {
    /** The HS256 secret every test server uses, so tests can mint JWTs. */
    public static final String SECRET = "test-secret-that-is-at-least-32-bytes-long!";

    public static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Object> settings = new LinkedHashMap<>();
    private final List<String> console = new ArrayList<>();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Gatehouse gatehouse;
    private Path dataDir;

    public TestGatehouse() {
        settings.put(ConfigKey.SERVER_PORT.key(), 0);
        settings.put(ConfigKey.AUTH_JWT_SECRET.key(), SECRET);
        // Tests open many connections from 127.0.0.1 and refuse many credentials on purpose;
        // the per-IP limits have tests of their own that set them back.
        settings.put(ConfigKey.LIMITS_UPGRADES_PER_IP.key(), Map.of("rate", 100000, "burst", 100000));
        settings.put(ConfigKey.LIMITS_AUTH_FAILURES_PER_IP.key(), Map.of("rate", 100000, "burst", 100000));
    }

    /** Sets a configuration key, as a YAML file would (values may be lists or maps). */
    public TestGatehouse with(String key, Object value) {
        settings.put(key, value);
        return this;
    }

    public TestGatehouse start() {
        try {
            dataDir = Files.createTempDirectory("gatehouse-test");
            Path yaml = dataDir.resolve("config.yaml");
            Map<String, Object> all = new LinkedHashMap<>(settings);
            all.put(ConfigKey.DATA_DIR.key(), dataDir.resolve("data").toString());
            JSON.writeValue(yaml.toFile(), nest(all)); // JSON is valid YAML
            var config = ConfigLoader.load(new ConfigSources().yamlFile(yaml));
            gatehouse = Gatehouse.start(config, Clock.systemUTC(), console::add);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> nest(Map<String, Object> flat) {
        Map<String, Object> root = new LinkedHashMap<>();
        flat.forEach((key, value) -> {
            String[] parts = key.split("\\.");
            Map<String, Object> m = root;
            for (int i = 0; i < parts.length - 1; i++) {
                m = (Map<String, Object>) m.computeIfAbsent(parts[i], k -> new LinkedHashMap<>());
            }
            m.put(parts[parts.length - 1], value);
        });
        return root;
    }

    public Gatehouse gatehouse() {
        return gatehouse;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** What the server printed for the operator (the bootstrap admin password line). */
    public List<String> console() {
        return console;
    }

    public String url() {
        return gatehouse.url();
    }

    public URI ws() {
        return URI.create("ws://127.0.0.1:" + gatehouse.port() + "/ws");
    }

    public URI ws(String query) {
        return URI.create("ws://127.0.0.1:" + gatehouse.port() + "/ws?" + query);
    }

    /** An opaque token for a user with these roles and extra channels. */
    public String opaqueToken(String userId, List<String> roles, List<String> channels) {
        return issuer().issueOpaque(new User(userId, userId, roles), channels, Duration.ofHours(1))
                .token();
    }

    public String opaqueToken(String userId) {
        return opaqueToken(userId, List.of(), List.of());
    }

    /** An opaque token of the local user {@code name} (id local:NAME), as {@code gatehouse token create --user} makes it. */
    public String localOpaqueToken(String name) {
        return issuer().issueOpaque(
                        new User(io.gatehouse.auth.UserIds.local(name), name, List.of()),
                        List.of(),
                        Duration.ofHours(1))
                .token();
    }

    private TokenIssuer issuer() {
        return gatehouse.tokenIssuer();
    }

    /** A local user with a password (and the admin role if asked), as {@code gatehouse user add} makes it. */
    public void user(String name, String password, boolean admin) {
        new io.gatehouse.store.UserStore(gatehouse.database())
                .add(new io.gatehouse.store.UserRecord(
                        name,
                        admin ? List.of("admin") : List.of(),
                        new io.gatehouse.auth.PasswordHasher().hash(password.toCharArray()),
                        Instant.now()));
    }

    /** A new API key with the given scopes (publish, admin). */
    public String apiKey(String... scopes) {
        SecretToken key = SecretToken.generate(ApiKeyVerifier.KIND);
        new ApiKeyStore(gatehouse.database())
                .insert(new ApiKeyRecord(key.prefix(), key.hash(), "test-key", List.of(scopes), Instant.now(), null));
        return key.value();
    }

    /** An HTTP response with its JSON body parsed (null for an empty body). */
    public record Reply(int status, JsonNode body, HttpResponse<String> raw) {}

    public Reply get(String path, String... headers) {
        return send(HttpRequest.newBuilder(URI.create(url() + path)).GET(), headers);
    }

    /** A POST, as JSON unless {@code headers} name another Content-Type. */
    public Reply post(String path, String body, String... headers) {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(url() + path)).POST(HttpRequest.BodyPublishers.ofString(body));
        boolean typed = false;
        for (int i = 0; i < headers.length; i += 2) {
            typed |= headers[i].equalsIgnoreCase("Content-Type");
        }
        if (!typed) {
            b.header("Content-Type", "application/json");
        }
        return send(b, headers);
    }

    public Reply delete(String path, String... headers) {
        return send(HttpRequest.newBuilder(URI.create(url() + path)).DELETE(), headers);
    }

    private Reply send(HttpRequest.Builder b, String... headers) {
        if (headers.length > 0) {
            b.headers(headers);
        }
        b.timeout(Duration.ofSeconds(10));
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            boolean json = r.headers().firstValue("content-type").orElse("").startsWith("application/json");
            JsonNode body = r.body().isEmpty() || !json ? null : JSON.readTree(r.body());
            return new Reply(r.statusCode(), body, r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    @Override
    public void close() {
        if (gatehouse != null) {
            gatehouse.close();
        }
    }
}
