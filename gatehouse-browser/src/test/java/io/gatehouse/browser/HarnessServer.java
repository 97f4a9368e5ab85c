package io.gatehouse.browser;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A web server on 127.0.0.1 for the pages of apps on other origins than the gateway's (a
 * single-page app on {@code app.gatehouse.test}): it answers every path with the page Playwright
 * asks for ({@code ?page=}, set per tab by {@link ClientPage}). A real loopback server, not a
 * Playwright route, because Chromium's local network access checks keep a page whose address is
 * unknown from opening sockets to 127.0.0.1, as they would a public site's. One per test JVM.
 */
final class HarnessServer {
    private static HttpServer server;
    private static volatile String page = "<!doctype html><title>empty</title>";

    private HarnessServer() {}

    /** The port, starting the server on first use. */
    static synchronized int port() {
        if (server == null) {
            try {
                server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            server.createContext("/", exchange -> {
                byte[] body = page.getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
                exchange.getResponseHeaders().set("Cache-Control", "no-store");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.setExecutor(null);
            server.start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(0)));
        }
        return server.getAddress().getPort();
    }

    /** What every path answers from now on. */
    static void serve(String html) {
        port();
        page = html;
    }
}
