package io.gatehouse.probe;

import io.gatehouse.protocol.Subprotocols;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The probe's matrix: one upgrade request each, in the order the table shows them, with the
 * {@link Rule} that judges what the server did. Tokens go in {@code Authorization: Bearer} unless
 * the scenario is about another carrier; the CSRF token goes in both places Gatehouse reads it
 * ({@code ?csrf_token=} and {@code X-CSRF-Token}).
 */
public enum Scenario implements Check {
    NO_CREDENTIAL("no credential", Rule.MUST_REFUSE),
    GARBAGE_TOKEN("garbage token", Rule.MUST_REFUSE),
    EXPIRED_TOKEN("expired token", Rule.MUST_REFUSE),
    TOKEN_IN_HEADER("valid token, Authorization header", Rule.SHOULD_ACCEPT),
    TOKEN_IN_SUBPROTOCOL("valid token, subprotocol", Rule.SHOULD_ACCEPT),
    TOKEN_IN_QUERY("valid token, ?token=", Rule.SHOULD_ACCEPT),
    FOREIGN_ORIGIN("foreign Origin, no credential", Rule.MUST_REFUSE_CROSS_SITE),
    /** The hijacking attempt: the browser adds the cookie, but the foreign page cannot read the CSRF token. */
    FOREIGN_ORIGIN_WITH_COOKIE("foreign Origin, cookie", Rule.MUST_REFUSE_CROSS_SITE),
    /** The cookie baseline: own Origin, with the CSRF token when one was given. */
    COOKIE("cookie, own Origin", Rule.SHOULD_ACCEPT),
    COOKIE_WITHOUT_CSRF("cookie, own Origin, no CSRF token", Rule.MUST_REFUSE);

    /** How long a socket that should be accepted is watched when no message comes. */
    static final Duration ACCEPT_WATCH = Duration.ofSeconds(2);

    private final String label;
    private final Rule rule;

    Scenario(String label, Rule rule) {
        this.label = label;
        this.rule = rule;
    }

    @Override
    public String label() {
        return label;
    }

    @Override
    public String expected() {
        return rule.expected();
    }

    public Rule rule() {
        return rule;
    }

    @Override
    public Category category() {
        return rule == Rule.MUST_REFUSE_CROSS_SITE ? Category.ORIGIN : Category.AUTH;
    }

    /** Whether this scenario sends the valid token by one of the carriers (header, subprotocol, query). */
    public boolean carriesValidToken() {
        return this == TOKEN_IN_HEADER || this == TOKEN_IN_SUBPROTOCOL || this == TOKEN_IN_QUERY;
    }

    /** Null when the scenario can run; otherwise the options it needs, e.g. {@code "give --token or --secret"}. */
    public String missing(ProbeOptions o) {
        return switch (this) {
            case NO_CREDENTIAL, GARBAGE_TOKEN, FOREIGN_ORIGIN -> null;
            case EXPIRED_TOKEN -> o.expiredToken() == null ? "give --expired-token or --secret" : null;
            case TOKEN_IN_HEADER, TOKEN_IN_SUBPROTOCOL, TOKEN_IN_QUERY ->
                o.token() == null ? "give --token or --secret" : null;
            case FOREIGN_ORIGIN_WITH_COOKIE, COOKIE -> o.cookie() == null ? "give --cookie" : null;
            case COOKIE_WITHOUT_CSRF -> o.cookie() == null || o.csrf() == null ? "give --cookie and --csrf" : null;
        };
    }

    /** The request this scenario sends; only when {@link #missing} is null. */
    public Attempt attempt(ProbeOptions o, Instant now) {
        Map<String, String> headers = new LinkedHashMap<>();
        List<String> subprotocols = List.of();
        URI uri = o.url();
        switch (this) {
            case NO_CREDENTIAL -> {}
            case GARBAGE_TOKEN -> headers.put("Authorization", "Bearer " + ProbeTokens.garbage(now));
            case EXPIRED_TOKEN -> headers.put("Authorization", "Bearer " + o.expiredToken());
            case TOKEN_IN_HEADER -> headers.put("Authorization", "Bearer " + o.token());
            case TOKEN_IN_SUBPROTOCOL ->
                subprotocols = List.of(Subprotocols.V1, Subprotocols.BEARER_PREFIX + o.token());
            case TOKEN_IN_QUERY -> uri = withQuery(uri, "token", o.token());
            case FOREIGN_ORIGIN -> headers.put("Origin", o.foreignOrigin());
            case FOREIGN_ORIGIN_WITH_COOKIE -> {
                headers.put("Origin", o.foreignOrigin());
                headers.put("Cookie", o.cookie());
            }
            case COOKIE -> {
                headers.put("Origin", o.ownOrigin());
                headers.put("Cookie", o.cookie());
                if (o.csrf() != null) {
                    headers.put("X-CSRF-Token", o.csrf());
                    uri = withQuery(uri, "csrf_token", o.csrf());
                }
            }
            case COOKIE_WITHOUT_CSRF -> {
                headers.put("Origin", o.ownOrigin());
                headers.put("Cookie", o.cookie());
            }
        }
        boolean accept = rule == Rule.SHOULD_ACCEPT;
        Duration watch = accept && ACCEPT_WATCH.compareTo(o.refusalWait()) < 0 ? ACCEPT_WATCH : o.refusalWait();
        return new Attempt(uri, headers, subprotocols, watch, accept);
    }

    private static URI withQuery(URI uri, String name, String value) {
        String pair = name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8);
        return URI.create(uri.toString() + (uri.getRawQuery() == null ? "?" : "&") + pair);
    }
}
