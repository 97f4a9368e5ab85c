package io.gatehouse.transport;

import io.gatehouse.auth.AuthRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.ArrayList;
import java.util.List;

/** A Netty request seen as an {@link AuthRequest}. */
final class NettyAuthRequest implements AuthRequest {
    private final HttpRequest request;
    private final QueryStringDecoder query;

    NettyAuthRequest(HttpRequest request, QueryStringDecoder query) {
        this.request = request;
        this.query = query;
    }

    @Override
    public String header(String name) {
        return request.headers().get(name);
    }

    @Override
    public String queryParameter(String name) {
        List<String> values = query.parameters().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    @Override
    public List<String> subprotocols() {
        // Clients may send one header with a comma-separated list or several headers.
        List<String> out = new ArrayList<>();
        for (String header : request.headers().getAll(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL)) {
            for (String p : header.split(",")) {
                String t = p.trim();
                if (!t.isEmpty()) {
                    out.add(t);
                }
            }
        }
        return out;
    }
}
