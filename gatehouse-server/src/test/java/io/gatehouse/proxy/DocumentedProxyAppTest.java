package io.gatehouse.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.config.ConfigKey;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Django view and the FastAPI endpoint of docs/integrations.md, exactly as written there, on
 * Debian's python3 (Django under its own WSGI handler, FastAPI under uvicorn; .ci/run installs
 * python3-django, python3-fastapi and python3-uvicorn, and without them this fails naming them):
 * Gatehouse asks each about subscriptions and publishes and acts on its answers.
 */
class DocumentedProxyAppTest {
    static final Path DOC = Path.of("..", "docs", "integrations.md");
    static final Pattern PYTHON_BLOCK = Pattern.compile("```python\n(.*?)```", Pattern.DOTALL);
    static final String SECRET = "documented-proxy-secret-of-at-least-32-bytes";

    @TempDir
    Path dir;

    static String python() {
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }

    /** The Python block of the doc that contains {@code marker}. */
    static String code(String marker) throws IOException {
        Matcher block = PYTHON_BLOCK.matcher(Files.readString(DOC));
        while (block.find()) {
            if (block.group(1).contains(marker)) {
                return block.group(1);
            }
        }
        throw new AssertionError("no Python block with '" + marker + "' in " + DOC);
    }

    /** Serves the documented views.py with Django's own WSGI handler, configured in code (no project). */
    static final String DJANGO_SERVER = """
            import os, sys
            from django.conf import settings
            settings.configure(SECRET_KEY="x" * 50, ROOT_URLCONF=__name__, ALLOWED_HOSTS=["127.0.0.1"],
                               MIDDLEWARE=[], GATEHOUSE_PROXY_SECRET=os.environ["GATEHOUSE_PROXY_SECRET"])
            import django
            django.setup()
            from django.urls import path
            import views
            urlpatterns = [path("gatehouse/proxy", views.gatehouse_proxy)]
            from socketserver import ThreadingMixIn
            from wsgiref.simple_server import WSGIServer, make_server
            from django.core.wsgi import get_wsgi_application
            class Server(ThreadingMixIn, WSGIServer):
                daemon_threads = True
            make_server("127.0.0.1", int(sys.argv[1]), get_wsgi_application(), server_class=Server).serve_forever()
            """;

    @Test
    void theDocumentedDjangoViewDecidesSubscriptionsAndRewritesPublishes() throws Exception {
        Files.writeString(dir.resolve("views.py"), code("from django.conf import settings"));
        Files.writeString(dir.resolve("server.py"), DJANGO_SERVER);
        assertTheDocumentedEndpointDecides(
                port -> List.of(python(), "server.py", Integer.toString(port)),
                "a message is 1 to 2000 characters",
                "python3-django");
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void theDocumentedFastApiEndpointDecidesSubscriptionsAndRewritesPublishes() throws Exception {
        Files.writeString(dir.resolve("app.py"), code("from fastapi import"));
        assertTheDocumentedEndpointDecides(
                port -> List.of(
                        python(), "-m", "uvicorn", "app:app", "--host", "127.0.0.1", "--port", Integer.toString(port)),
                "empty message",
                "python3-fastapi python3-uvicorn");
    }

    /**
     * Starts the endpoint with {@code command} (given its port) in the temporary directory, then a
     * Gatehouse asking it about room:*: alice and bob are members of room:42, mallory is not.
     */
    private void assertTheDocumentedEndpointDecides(
            java.util.function.IntFunction<List<String>> command, String emptyReason, String packages)
            throws Exception {
        int port = freePort();
        ProcessBuilder pb = new ProcessBuilder(command.apply(port))
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("endpoint.log").toFile());
        pb.environment().put("GATEHOUSE_PROXY_SECRET", SECRET);
        Process app = pb.start();
        try {
            awaitListening(app, port, packages);
            try (TestGatehouse g = new TestGatehouse()
                            .with(ConfigKey.CHANNELS_PROXY_URL.key(), "http://127.0.0.1:" + port + "/gatehouse/proxy")
                            .with(ConfigKey.CHANNELS_PROXY_SECRET.key(), SECRET)
                            .with("channels.namespaces.room", Map.of("subscribe", "proxy", "publish", "proxy"))
                            .start();
                    WsRecorder alice = g.connectAs("alice");
                    WsRecorder bob = g.connectAs("bob");
                    WsRecorder mallory = g.connectAs("mallory")) {
                JsonNode subscribed = alice.subscribe("room:42");
                assertThat(subscribed.path("data").path("members").toString()).isEqualTo("[\"alice\",\"bob\"]");
                bob.subscribe("room:42");
                JsonNode denied = mallory.subscribeReply("room:42", 1);
                assertThat(denied.path("code").asText()).isEqualTo("PERMISSION_DENIED");
                assertThat(denied.path("message").asText()).isEqualTo("not a member of this room");

                alice.send("{\"type\":\"publish\",\"channel\":\"room:42\",\"id\":2,\"data\":{\"text\":\"  hi  \"}}");
                assertThat(alice.awaitType("published").path("id").asInt()).isEqualTo(2);
                assertThat(bob.awaitType("message").path("data").toString())
                        .isEqualTo("{\"id\":1,\"text\":\"hi\",\"user\":\"alice\"}");
                alice.send("{\"type\":\"publish\",\"channel\":\"room:42\",\"id\":3,\"data\":{\"text\":\"   \"}}");
                JsonNode empty = alice.awaitType("error");
                assertThat(empty.path("code").asText()).isEqualTo("PERMISSION_DENIED");
                assertThat(empty.path("message").asText()).isEqualTo(emptyReason);
            }
        } finally {
            app.destroy();
            if (!app.waitFor(10, TimeUnit.SECONDS)) {
                app.destroyForcibly();
            }
        }
    }

    /** Until uvicorn accepts on {@code port}; fails with its output (such as a missing module) if it exits. */
    private void awaitListening(Process app, int port, String packages) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!app.isAlive()) {
                throw new AssertionError("the endpoint exited: it needs Debian's python3 and " + packages
                        + " (apt-get install " + packages + ")\n" + Files.readString(dir.resolve("endpoint.log")));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError(
                "the endpoint did not listen within 30 s:\n" + Files.readString(dir.resolve("endpoint.log")));
    }
}
