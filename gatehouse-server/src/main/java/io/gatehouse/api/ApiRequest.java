package io.gatehouse.api;

import io.gatehouse.auth.AuthRequest;
import io.gatehouse.auth.ServerOrigin;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An HTTP request as the API handlers see it, without the transport's types.
 *
 * @param headers header names in lower case, first value only
 * @param query query parameters, first value only
 */
public record ApiRequest(
        String method,
        String path,
        Map<String, String> query,
        Map<String, String> headers,
        byte[] body,
        String clientIp,
        ServerOrigin serverOrigin)
        implements AuthRequest {

    /** A request whose server origin is judged by its Host header alone. */
    public ApiRequest(
            String method,
            String path,
            Map<String, String> query,
            Map<String, String> headers,
            byte[] body,
            String clientIp) {
        this(method, path, query, headers, body, clientIp, ServerOrigin.ofHost(headers.get("host")));
    }

    /** Method and path only: headers and body may hold credentials. */
    @Override
    public String toString() {
        return "ApiRequest[" + method + " " + path + "]";
    }

    @Override
    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    @Override
    public String queryParameter(String name) {
        return query.get(name);
    }

    @Override
    public List<String> subprotocols() {
        return List.of();
    }
}
