package io.gatehouse.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.Gatehouse;
import io.gatehouse.auth.ApiKeyVerifier;
import io.gatehouse.auth.SecretToken;
import io.gatehouse.auth.TokenIssuer;
import io.gatehouse.auth.User;
import io.gatehouse.cli.GatehouseCommand;
import io.gatehouse.config.ConfigKey;
import io.gatehouse.config.ConfigLoader;
import io.gatehouse.config.ConfigSources;
import io.gatehouse.store.ApiKeyRecord;
import io.gatehouse.store.ApiKeyStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
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
    private Clock clock = Clock.systemUTC();
    private Gatehouse gatehouse;
    private Path dataDir;
    /** Made by the first {@link #publish} after {@link #start}: a start makes a new store. */
    private String publishKey;

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

    /** The clock the server reads (the system's unless a test gives one, e.g. a {@link ShiftedClock}). */
    public TestGatehouse clock(Clock clock) {
        this.clock = clock;
        return this;
    }

    public TestGatehouse start() {
        try {
            return startIn(Files.createTempDirectory("gatehouse-test"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Closes the server and starts a new one on the same data directory (and database), as a restart does. */
    public TestGatehouse restart() {
        close();
        return startIn(dataDir);
    }

    private TestGatehouse startIn(Path directory) {
        try {
            dataDir = directory;
            Path yaml = dataDir.resolve("config.yaml");
            Map<String, Object> all = new LinkedHashMap<>(settings);
            all.put(ConfigKey.DATA_DIR.key(), dataDir.resolve("data").toString());
            JSON.writeValue(yaml.toFile(), nest(all)); // JSON is valid YAML
            var config = ConfigLoader.load(new ConfigSources().yamlFile(yaml));
            gatehouse = Gatehouse.start(config, clock, console::add);
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

    /** A WebSocket of {@code userId} (an HS256 JWT for it), once {@code connection_established} has come. */
    public WsRecorder connectAs(String userId) {
        return connectWith(Jwts.hs256For(userId));
    }

    /**
     * A WebSocket presenting {@code token} in {@code Authorization: Bearer}, with {@code headers} as
     * further name/value pairs, once {@code connection_established} has come ({@link
     * WsRecorder#established}).
     */
    public WsRecorder connectWith(String token, String... headers) {
        String[] all = new String[headers.length + 2];
        all[0] = "Authorization";
        all[1] = "Bearer " + token;
        System.arraycopy(headers, 0, all, 2, headers.length);
        WsRecorder ws = WsRecorder.connect(ws(), all);
        ws.awaitEstablished();
        return ws;
    }

    /** Publishes {@code dataJson} to {@code channel} with a publish API key; fails unless 200. Returns the reply. */
    public JsonNode publish(String channel, String dataJson) {
        return publishBody("{\"channel\":" + JSON.valueToTree(channel) + ",\"data\":" + dataJson + "}");
    }

    /** Publishes {@code dataJson} to the personal channel of {@code userId}; as {@link #publish}. */
    public JsonNode publishToUser(String userId, String dataJson) {
        return publishBody("{\"user\":" + JSON.valueToTree(userId) + ",\"data\":" + dataJson + "}");
    }

    private JsonNode publishBody(String body) {
        if (publishKey == null) {
            publishKey = apiKey("publish");
        }
        Reply r = post("/api/v1/publish", body, "Authorization", "apikey " + publishKey);
        if (r.status() != 200) {
            throw new AssertionError("publish " + body + " answered " + r.status() + " " + r.body());
        }
        return r.body();
    }

    /**
     * Runs {@code gatehouse ARGS --config <this server's configuration>} in-process, as an operator
     * would next to the running server; fails unless it exits 0. Returns what it printed, stripped.
     */
    public String cli(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--config";
        all[args.length + 1] = dataDir.resolve("config.yaml").toString();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = GatehouseCommand.run(all, new PrintWriter(out, true), new PrintWriter(err, true));
        if (status != 0) {
            throw new AssertionError("gatehouse " + String.join(" ", args) + " exited " + status + ": " + err);
        }
        return out.toString().strip();
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
        publishKey = null;
        if (gatehouse != null) {
            gatehouse.close();
        }
    }
}
