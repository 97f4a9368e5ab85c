package io.gatehouse.web;

import io.gatehouse.api.ApiResponse;
import io.gatehouse.api.HttpApi;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.protocol.RefusalCodeScript;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The files a browser fetches (SPEC §6, Pages): the browser client's modules at {@code
 * /client/NAME.js} (from {@code clients/js}, packaged under {@code web/client}), the dashboard at
 * {@code /} with its assets at {@code /dashboard/NAME}, the connection test page at {@code /test}
 * with its assets at {@code /test/NAME}, and what both pages share (a stylesheet, DOM and cookie
 * helpers) at {@code /pages/NAME}. The client's refusal table
 * ({@code /client/refusal-codes.js}) is written from {@link io.gatehouse.protocol.RefusalCode} by
 * the running server itself, so it cannot differ from the codes this server sends. The client's
 * modules may be imported from any origin ({@code Access-Control-Allow-Origin: *}, no credentials).
 *
 * <p>A name is one path segment of lower-case letters, digits and dashes with a known extension,
 * so no request reaches a file outside {@code web/}; a file read once is kept (the files are few and
 * fixed), a miss is not (its name came from a request, and would let a client fill the map).
 */
public final class WebAssets {
    /**
     * The pages may load only their own scripts and styles, open sockets and requests only to this
     * server ({@code 'self'} covers ws: and wss: of the same host), and not be framed: a link to
     * the test page cannot make it send a CSRF token or a pasted token to another host, and the
     * dashboard cannot be put in a frame to trick an admin into a click.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; connect-src 'self'; img-src 'self' data:;"
            + " style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}\\.(js|css|html|svg)");
    private static final Map<String, String> TYPES = Map.of(
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "html", "text/html; charset=utf-8",
            "svg", "image/svg+xml");
    private static final String REFUSAL_TABLE = "refusal-codes.js";

    private final Map<String, Optional<byte[]>> read = new ConcurrentHashMap<>();
    private final byte[] refusalTable = RefusalCodeScript.render().getBytes(StandardCharsets.UTF_8);

    public void register(HttpApi api) {
        api.route("GET", "/client/{file}", (req, path) -> done(client(path.get("file"))));
        api.route("GET", "/", (req, path) -> done(asset("web/dashboard/index.html")));
        api.route("GET", "/dashboard/{file}", (req, path) -> done(named("web/dashboard/", path.get("file"))));
        api.route("GET", "/test", (req, path) -> done(asset("web/test/index.html")));
        api.route("GET", "/test/{file}", (req, path) -> done(named("web/test/", path.get("file"))));
        api.route("GET", "/pages/{file}", (req, path) -> done(named("web/pages/", path.get("file"))));
    }

    private ApiResponse client(String file) {
        ApiResponse module = REFUSAL_TABLE.equals(file) ? response(refusalTable, "js") : named("web/client/", file);
        // Public code, no credentials: a single-page app on any origin may import it as a module
        // (module scripts are fetched in CORS mode).
        return module.status() == 200
                ? module.withHeader("Access-Control-Allow-Origin", "*")
                        .withHeader("Cross-Origin-Resource-Policy", "cross-origin")
                : module;
    }

    private ApiResponse named(String folder, String file) {
        if (!NAME.matcher(file).matches()) {
            return notFound(file);
        }
        return asset(folder + file);
    }

    private ApiResponse asset(String resource) {
        Optional<byte[]> bytes = read.get(resource);
        if (bytes == null) {
            bytes = load(resource);
            if (bytes.isPresent()) {
                read.put(resource, bytes); // only files that exist: names come from requests
            }
        }
        String extension = resource.substring(resource.lastIndexOf('.') + 1);
        return bytes.map(b -> response(b, extension)).orElseGet(() -> notFound(resource));
    }

    private static ApiResponse response(byte[] body, String extension) {
        return new ApiResponse(
                200,
                body,
                List.of(
                        Map.entry("Content-Type", TYPES.get(extension)),
                        // Revalidated each time: a new server version must not run an old client.
                        Map.entry("Cache-Control", "no-cache"),
                        Map.entry("X-Content-Type-Options", "nosniff"),
                        Map.entry("Content-Security-Policy", CONTENT_SECURITY_POLICY),
                        Map.entry("Referrer-Policy", "no-referrer")));
    }

    private static ApiResponse notFound(String what) {
        String shown = what.length() > 80 ? what.substring(0, 80) + "..." : what;
        return ApiResponse.refusal(RefusalCode.NOT_FOUND.refusal("No such file: " + shown));
    }

    private static Optional<byte[]> load(String resource) {
        try (InputStream in = WebAssets.class.getClassLoader().getResourceAsStream(resource)) {
            return in == null ? Optional.empty() : Optional.of(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static CompletableFuture<ApiResponse> done(ApiResponse r) {
        return CompletableFuture.completedFuture(r);
    }
}
