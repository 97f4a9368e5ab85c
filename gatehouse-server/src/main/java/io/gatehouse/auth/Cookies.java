package io.gatehouse.auth;

/** Reads one cookie from a {@code Cookie} request header (RFC 6265 {@code name=value; ...}). */
final class Cookies {
    private Cookies() {}

    static String value(String header, String name) {
        if (header == null) {
            return null;
        }
        for (String pair : header.split(";")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).trim().equals(name)) {
                String v = pair.substring(eq + 1).trim();
                return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"") ? v.substring(1, v.length() - 1) : v;
            }
        }
        return null;
    }
}
