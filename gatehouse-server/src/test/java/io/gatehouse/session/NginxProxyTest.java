package io.gatehouse.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.RawHttp;
import io.gatehouse.testing.RawWebSocket;
import io.gatehouse.testing.TestGatehouse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 12: Gatehouse behind a real nginx, configured with the very block docs/deployment.md shows
 * (only addresses, ports and paths changed, the certificate lines left out). nginx sends {@code
 * Host $host}, which drops the port of {@code http://localhost:PORT}; Gatehouse has that URL as
 * {@code server.public_url} and nginx's address as {@code server.trusted_proxies}. nginx is
 * required: CI installs it, and without it this test fails rather than skips.
 */
class NginxProxyTest {
    static final Path NGINX = Path.of("/usr/sbin/nginx");
    static final Path DEPLOYMENT_DOC = Path.of("..", "docs", "deployment.md");
    static final Duration WAIT = Duration.ofSeconds(10);
    static final String LOGIN = "{\"username\":\"alice\",\"password\":\"alice-password\"}";
    static final String CLIENT_IP = "203.0.113.50";

    static TestGatehouse gatehouse;
    static Process nginx;
    static Path dir;
    static int port;
    static String page;

    @BeforeAll
    static void start() throws Exception {
        assertThat(Files.isExecutable(NGINX))
                .as(
                        "%s is missing: this test runs Gatehouse behind a real nginx; install it"
                                + " (Debian/Ubuntu: apt-get install nginx-light)",
                        NGINX)
                .isTrue();
        port = freePort();
        page = "http://localhost:" + port;
        gatehouse = new TestGatehouse()
                .with("server.public_url", page)
                .with("server.trusted_proxies", List.of("127.0.0.1/32"))
                .start();
        gatehouse.user("alice", "alice-password", false);

        dir = Files.createTempDirectory("gatehouse-nginx");
        // nginx's workers may run as another user (nobody when started as root): they must reach it.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(
                dir.resolve("gatehouse.conf"),
                testedConfig(gatehouse.gatehouse().port(), port, freePort()));
        Files.writeString(
                dir.resolve("nginx.conf"),
                String.join(
                        "\n",
                        "worker_processes 1;",
                        "pid " + dir.resolve("nginx.pid") + ";",
                        "error_log " + dir.resolve("error.log") + " info;",
                        "events { worker_connections 128; }",
                        "http {",
                        "    client_body_temp_path " + dir.resolve("client_body") + ";",
                        "    proxy_temp_path " + dir.resolve("proxy") + ";",
                        "    fastcgi_temp_path " + dir.resolve("fastcgi") + ";",
                        "    uwsgi_temp_path " + dir.resolve("uwsgi") + ";",
                        "    scgi_temp_path " + dir.resolve("scgi") + ";",
                        "    access_log " + dir.resolve("default.access.log") + ";",
                        "    include " + dir.resolve("gatehouse.conf") + ";",
                        "}",
                        ""));
        nginx = new ProcessBuilder(
                        NGINX.toString(),
                        "-e",
                        dir.resolve("error.log").toString(),
                        "-p",
                        dir.toString(),
                        "-c",
                        dir.resolve("nginx.conf").toString(),
                        "-g",
                        "daemon off;")
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("nginx.out").toFile())
                .start();
        await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> !nginx.isAlive() || accepts(port));
        if (!nginx.isAlive()) {
            throw new AssertionError("nginx did not start (exit " + nginx.exitValue() + "): "
                    + read(dir.resolve("nginx.out")) + read(dir.resolve("error.log")));
        }
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (nginx != null) {
            List<ProcessHandle> workers = nginx.descendants().toList();
            nginx.destroy(); // SIGTERM: nginx's fast shutdown, workers included
            if (!nginx.waitFor(10, TimeUnit.SECONDS)) {
                nginx.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            workers.forEach(ProcessHandle::destroyForcibly);
        }
        if (gatehouse != null) {
            gatehouse.close();
        }
    }

    /**
     * The nginx block of docs/deployment.md, made to run here: the upstream is this Gatehouse, the
     * TLS server listens on 127.0.0.1:{@code port} in plain HTTP, the redirect server on
     * {@code redirectPort}, the access log goes to the temporary directory.
     */
    static String testedConfig(int gatehousePort, int port, int redirectPort) throws IOException {
        String doc = Files.readString(DEPLOYMENT_DOC);
        String marker = "```nginx\n# /etc/nginx/conf.d/gatehouse.conf";
        int start = doc.indexOf(marker);
        assertThat(start)
                .as("docs/deployment.md has the nginx block that starts with %s", marker)
                .isNotNegative();
        String block = doc.substring(start + "```nginx\n".length(), doc.indexOf("\n```", start + marker.length()));
        String conf = replace(block, "server 127.0.0.1:8080;", "server 127.0.0.1:" + gatehousePort + ";");
        conf = replace(conf, "listen 443 ssl;", "listen 127.0.0.1:" + port + ";");
        conf = replace(conf, "listen 80;", "listen 127.0.0.1:" + redirectPort + ";");
        conf = replace(
                conf,
                "/var/log/nginx/gatehouse.access.log",
                dir.resolve("access.log").toString());
        StringBuilder out = new StringBuilder();
        for (String line : conf.split("\n")) {
            if (!line.trim().startsWith("ssl_certificate")) {
                out.append(line).append('\n');
            }
        }
        return out.toString();
    }

    /** {@code text} with {@code what} replaced; fails when the doc no longer has it. */
    static String replace(String text, String what, String with) {
        assertThat(text).as("the nginx block of docs/deployment.md").contains(what);
        return text.replace(what, with);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Headers of a browser on the page, through nginx: the Host it sends, its own X-Forwarded-For. */
    static List<String> browser(String origin, String... more) {
        List<String> h = new java.util.ArrayList<>(List.of(
                "Host: localhost:" + port,
                "Origin: " + origin,
                "X-Forwarded-For: " + CLIENT_IP,
                "User-Agent: nginx-test"));
        h.addAll(List.of(more));
        return h;
    }

    static RawHttp.Answer login(String origin) {
        return RawHttp.exchange(port, "POST", "/api/v1/auth/login", "1.1", browser(origin), LOGIN);
    }

    static RawWebSocket upgrade(String query, List<String> headers) {
        return RawWebSocket.connectExactly("127.0.0.1", port, "/ws?" + query, "1.1", headers.toArray(String[]::new));
    }

    @Test
    void aCookieSessionLogsInAndUpgradesFromThePageOriginThroughNginx() {
        RawHttp.Answer login = login(page);
        assertThat(login.status()).as("login through nginx: %s", login.body()).isEqualTo(200);
        String cookie = "Cookie: gh_session=" + login.cookie("gh_session");
        String csrf = login.body().path("csrf_token").asText();

        RawHttp.Answer verify = RawHttp.exchange(
                port, "GET", "/api/v1/auth/verify", "1.1", browser(page, cookie, "X-CSRF-Token: " + csrf), "");
        assertThat(verify.status())
                .as("verify through nginx: %s", verify.body())
                .isEqualTo(200);

        String query = "csrf_token=" + URLEncoder.encode(csrf, StandardCharsets.UTF_8);
        try (RawWebSocket ws = upgrade(query, browser(page, cookie))) {
            assertThat(ws.status()).as(ws.handshakeResponse()).isEqualTo(101);
            JsonNode established = json(ws.readFrame((int) WAIT.toMillis()).text());
            assertThat(established.path("type").asText()).isEqualTo("connection_established");
            assertThat(established.path("user").path("name").asText()).isEqualTo("alice");
            ws.sendText("{\"type\":\"ping\",\"id\":\"p1\"}");
            assertThat(json(ws.readFrame((int) WAIT.toMillis()).text())
                            .path("type")
                            .asText())
                    .isEqualTo("pong");
        }
    }

    @Test
    void aForeignOriginIsRefusedWith403ThroughNginx() {
        RawHttp.Answer evilLogin = login("https://evil.example");
        assertThat(evilLogin.status()).isEqualTo(403);
        assertThat(evilLogin.body().path("code").asText()).isEqualTo("ORIGIN_NOT_ALLOWED");

        RawHttp.Answer login = login(page);
        assertThat(login.status()).isEqualTo(200);
        String query = "csrf_token="
                + URLEncoder.encode(login.body().path("csrf_token").asText(), StandardCharsets.UTF_8);
        try (RawWebSocket ws =
                upgrade(query, browser("https://evil.example", "Cookie: gh_session=" + login.cookie("gh_session")))) {
            assertThat(ws.status()).as(ws.handshakeResponse()).isEqualTo(403);
            assertThat(json(ws.readHttpBody((int) WAIT.toMillis())).path("code").asText())
                    .isEqualTo("ORIGIN_NOT_ALLOWED");
        }
        try (RawWebSocket ws =
                upgrade("_t=1", browser("https://evil.example", "Authorization: Bearer " + Jwts.hs256For("mallory")))) {
            assertThat(ws.status()).as(ws.handshakeResponse()).isEqualTo(403);
            assertThat(json(ws.readHttpBody((int) WAIT.toMillis())).path("code").asText())
                    .isEqualTo("ORIGIN_NOT_ALLOWED");
        }
    }

    @Test
    void theAccessLogRecordsTheClientIpFromXForwardedFor() {
        String agent = "User-Agent: nginx-xff-" + System.nanoTime();
        String token = Jwts.hs256For("xff-user");
        List<String> headers = new java.util.ArrayList<>(browser(page, "Authorization: Bearer " + token));
        headers.remove("User-Agent: nginx-test");
        headers.add(agent);
        try (RawWebSocket ws = upgrade("_t=2", headers)) {
            assertThat(ws.status()).as(ws.handshakeResponse()).isEqualTo(101);
            ws.readFrame((int) WAIT.toMillis());
        }
        String adminKey = gatehouse.apiKey("admin");
        List<JsonNode> rows = await().atMost(WAIT)
                .until(
                        () -> {
                            TestGatehouse.Reply r = gatehouse.get(
                                    "/api/v1/access-log?user=xff-user", "Authorization", "apikey " + adminKey);
                            return StreamSupport.stream(r.body().path("entries").spliterator(), false)
                                    .toList();
                        },
                        list -> !list.isEmpty());
        assertThat(rows)
                .allSatisfy(row -> assertThat(row.path("client_ip").asText()).isEqualTo(CLIENT_IP));
    }

    @Test
    void nginxsAccessLogHoldsNoQueryStringToken() throws IOException {
        String token = Jwts.hs256For("query-user");
        String tokenQuery = "token=" + URLEncoder.encode(token, StandardCharsets.UTF_8);
        try (RawWebSocket ws = upgrade(tokenQuery, browser(page))) {
            assertThat(ws.status()).as(ws.handshakeResponse()).isEqualTo(101);
            ws.readFrame((int) WAIT.toMillis());
        }
        RawHttp.Answer login = login(page);
        String csrf = login.body().path("csrf_token").asText();
        try (RawWebSocket ws = upgrade(
                "csrf_token=" + URLEncoder.encode(csrf, StandardCharsets.UTF_8),
                browser(page, "Cookie: gh_session=" + login.cookie("gh_session")))) {
            assertThat(ws.status()).isEqualTo(101);
            ws.readFrame((int) WAIT.toMillis());
        }
        // nginx writes a WebSocket's line when the connection ends: wait for both.
        Path log = dir.resolve("access.log");
        await().atMost(WAIT)
                .until(() -> read(log)
                                .lines()
                                .filter(l -> l.contains("\"GET /ws HTTP/1.1\" 101"))
                                .count()
                        >= 2);
        String all = read(log);
        assertThat(all).contains("POST /api/v1/auth/login");
        assertThat(all).doesNotContain("token=").doesNotContain(token).doesNotContain(csrf);
        assertThat(all).doesNotContain(login.cookie("gh_session"));
    }

    static JsonNode json(String text) {
        try {
            return TestGatehouse.JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
