package io.gatehouse.api;

import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.protocol.RefusalException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes HTTP requests to {@link Route}s by method and path template ({@code /api/v1/tokens/{prefix}}).
 * Every failure becomes a refusal body with its code: unknown path 404, wrong method 405, a
 * {@link RefusalException} its own code, anything else 500 without details.
 */
public final class HttpApi {
    private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
    private static final Pattern PARAM = Pattern.compile("\\{([a-z_]+)}");

    private record Entry(String method, String template, Pattern pattern, List<String> names, Route route) {}

    private final List<Entry> entries = new ArrayList<>();
    /** Cross-origin access to the user-facing endpoints, or null for none. */
    private final CorsPolicy cors;

    /** An API without cross-origin access. */
    public HttpApi() {
        this(null);
    }

    public HttpApi(CorsPolicy cors) {
        this.cors = cors;
    }

    public HttpApi route(String method, String template, Route route) {
        List<String> names = new ArrayList<>();
        Matcher m = PARAM.matcher(template);
        StringBuilder regex = new StringBuilder();
        int last = 0;
        while (m.find()) {
            regex.append(Pattern.quote(template.substring(last, m.start()))).append("([^/]+)");
            names.add(m.group(1));
            last = m.end();
        }
        regex.append(Pattern.quote(template.substring(last)));
        entries.add(new Entry(method, template, Pattern.compile(regex.toString()), names, route));
        return this;
    }

    public CompletionStage<ApiResponse> handle(ApiRequest request) {
        if (cors == null || !cors.covers(request.path())) {
            return route(request);
        }
        if (CorsPolicy.isPreflight(request)) {
            return CompletableFuture.completedFuture(cors.preflight(request));
        }
        return route(request).thenApply(response -> cors.answer(request, response));
    }

    private CompletionStage<ApiResponse> route(ApiRequest request) {
        boolean pathMatched = false;
        for (Entry e : entries) {
            Matcher m = e.pattern.matcher(request.path());
            if (!m.matches()) {
                continue;
            }
            pathMatched = true;
            if (!e.method.equals(request.method())) {
                continue;
            }
            Map<String, String> values = new HashMap<>();
            for (int i = 0; i < e.names.size(); i++) {
                values.put(e.names.get(i), m.group(i + 1)); // the transport already decoded the path
            }
            return invoke(e, request, new PathParameters(values));
        }
        return CompletableFuture.completedFuture(ApiResponse.refusal(
                pathMatched
                        ? RefusalCode.METHOD_NOT_ALLOWED.refusal(
                                request.method() + " is not supported on " + request.path())
                        : RefusalCode.NOT_FOUND.refusal("No endpoint at " + request.path())));
    }

    private static CompletionStage<ApiResponse> invoke(Entry e, ApiRequest request, PathParameters params) {
        CompletionStage<ApiResponse> stage;
        try {
            stage = e.route.handle(request, params);
        } catch (RuntimeException failure) {
            stage = CompletableFuture.failedFuture(failure);
        }
        return stage.exceptionally(failure -> {
            if (RefusalException.refusalOf(failure).code() == RefusalCode.INTERNAL_ERROR) {
                // The route template, not the path: a path may hold a pasted token.
                LOG.error("{} {} failed", e.method, e.template, failure);
            }
            return ApiResponse.refusal(RefusalException.refusalOf(failure));
        });
    }
}
