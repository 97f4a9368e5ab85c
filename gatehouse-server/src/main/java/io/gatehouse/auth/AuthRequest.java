package io.gatehouse.auth;

import java.util.List;

/** The parts of an HTTP request (or WebSocket upgrade) that carry credentials. */
public interface AuthRequest {
    /** The first value of header {@code name} (case-insensitive), or null. */
    String header(String name);

    /** The first value of query parameter {@code name}, or null. */
    String queryParameter(String name);

    /** The value of cookie {@code name}, or null. */
    default String cookie(String name) {
        return Cookies.value(header("Cookie"), name);
    }

    /** The offered WebSocket subprotocols, in order; empty for plain HTTP. */
    List<String> subprotocols();
}
