package io.gatehouse.browser;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.WaitForSelectorState;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.gatehouse.config.ConfigKey;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.TestGatehouse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 14, in Chromium: the dashboard's webhook dead letters. The application's endpoint (a real
 * HTTP server on 127.0.0.1) answers 500 until the event is dead ({@code hooks.max_attempts} 2, short
 * waits between attempts); the dead event is in the table as the API lists it; once the endpoint
 * works again, Retry in the table delivers it and the row leaves the table.
 */
class DashboardDeadLettersBrowserTest {
    private static final String ADMIN = "root";
    private static final String ADMIN_PASSWORD = "root-password-1";
    private static final int ATTEMPTS = 2;

    /** First: the server's configuration names its URL. */
    private static final Receiver receiver = new Receiver();

    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse()
            .with(ConfigKey.HOOKS_URL.key(), receiver.url())
            .with(ConfigKey.HOOKS_SECRET.key(), "a-webhook-secret-of-at-least-32-bytes")
            .with(ConfigKey.HOOKS_EVENTS.key(), List.of("token.revoked")) // not the dashboard's own connections
            .with(ConfigKey.HOOKS_MAX_ATTEMPTS.key(), ATTEMPTS)
            .with(ConfigKey.HOOKS_RETRY_BASE.key(), "50ms")
            .with(ConfigKey.HOOKS_RETRY_CAP.key(), "200ms");

    @RegisterExtension
    static final Chromium chromium = new Chromium();

    private static String adminKey;

    @BeforeAll
    static void users() {
        server.user(ADMIN, ADMIN_PASSWORD, true);
        adminKey = "apikey " + server.apiKey("admin");
    }

    @AfterAll
    static void stopReceiver() {
        receiver.close();
    }

    @Test
    void aDeadEventIsInTheTableAndRetryDeliversItOnceTheEndpointWorks() {
        receiver.status = 500;
        // Carol revokes one of her tokens: a token.revoked event, which the endpoint refuses.
        String token = server.opaqueToken("carol");
        TestGatehouse.Reply revoked = server.delete(
                "/api/v1/tokens/" + token.substring(0, 12), "Authorization", "Bearer " + Jwts.hs256For("carol"));
        assertThat(revoked.status()).isEqualTo(200);
        Awaitility.await("the event is dead")
                .atMost(ClientPage.WAIT)
                .until(() -> deadFromApi().size() == 1);
        JsonNode dead = deadFromApi().get(0);
        String id = dead.path("id").asText();
        assertThat(dead.path("type").asText()).isEqualTo("token.revoked");
        assertThat(dead.path("attempts").asInt()).isEqualTo(ATTEMPTS);
        assertThat(dead.path("last_error").asText()).isEqualTo("HTTP 500");
        assertThat(receiver.refused).hasSize(ATTEMPTS).containsOnly(id);

        try (BrowserContext context = chromium.newContext()) {
            DashboardPage dashboard = DashboardPage.open(context, server.url()).logInAsAdmin(ADMIN, ADMIN_PASSWORD);
            Page page = dashboard.page();
            String row = DashboardPage.deadRow(id);
            page.waitForSelector(row);
            assertThat(dashboard.cell(row, "type")).isEqualTo("token.revoked");
            assertThat(dashboard.cell(row, "attempts")).isEqualTo(String.valueOf(ATTEMPTS));
            assertThat(dashboard.cell(row, "error")).isEqualTo("HTTP 500");
            assertThat(page.textContent("#dead-count")).isEqualTo("1");
            assertThat(receiver.accepted).isEmpty();

            receiver.status = 204;
            page.click(row + " button[data-testid=retry]");
            page.waitForSelector("#action-result[data-outcome=ok]");
            assertThat(page.textContent("#action-result")).contains(id).contains("token.revoked");
            Awaitility.await("the endpoint has the event")
                    .atMost(ClientPage.WAIT)
                    .until(() -> receiver.accepted.contains(id));
            page.waitForSelector(row, new Page.WaitForSelectorOptions().setState(WaitForSelectorState.DETACHED));
            page.waitForSelector("#dead-empty:not([hidden])");
            assertThat(page.textContent("#dead-count")).isEqualTo("0");
            assertThat(deadFromApi()).isEmpty();
            assertThat(receiver.accepted).containsExactly(id);
        }
    }

    private static List<JsonNode> deadFromApi() {
        TestGatehouse.Reply r = server.get("/api/v1/hooks/dead", "Authorization", adminKey);
        assertThat(r.status()).isEqualTo(200);
        List<JsonNode> events = new ArrayList<>();
        r.body().path("events").forEach(events::add);
        return events;
    }

    /**
     * The application's webhook endpoint on 127.0.0.1: answers every delivery with {@link #status}
     * and notes the event's id (its Gatehouse-Event-Id header) as refused or accepted.
     */
    private static final class Receiver implements AutoCloseable {
        private final HttpServer http;
        volatile int status = 500;
        final List<String> refused = new CopyOnWriteArrayList<>();
        final List<String> accepted = new CopyOnWriteArrayList<>();

        Receiver() {
            try {
                http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            http.createContext("/hooks", this::handle);
            http.start();
        }

        String url() {
            return "http://127.0.0.1:" + http.getAddress().getPort() + "/hooks";
        }

        private void handle(HttpExchange exchange) throws IOException {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                String id = exchange.getRequestHeaders().getFirst("Gatehouse-Event-Id");
                int answer = status;
                (answer / 100 == 2 ? accepted : refused).add(id);
                exchange.sendResponseHeaders(answer, -1);
            }
        }

        @Override
        public void close() {
            http.stop(0);
        }
    }
}
