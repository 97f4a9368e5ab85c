package io.gatehouse.auth;

import io.gatehouse.protocol.Refusal;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.protocol.Subprotocols;
import java.util.List;

/**
 * Finds the one credential of a request, from the first carrier that is present (SPEC §2):
 * {@code Authorization: Bearer}, the {@code gatehouse.bearer.<token>} subprotocol, then
 * {@code ?token=}, then the {@code gh_session} cookie with its CSRF token ({@code ?csrf_token=} or
 * {@code X-CSRF-Token} on an upgrade; {@code X-CSRF-Token} only on the HTTP API).
 */
public final class CredentialExtractor {
    private static final String BEARER = "bearer ";

    /** What the request carried: a credential, nothing, or something malformed. */
    public record Extraction(Credential credential, Refusal refusal) {
        static final Extraction NONE = new Extraction(null, null);

        public boolean isNone() {
            return credential == null && refusal == null;
        }
    }

    private final boolean allowQueryToken;
    private final boolean sessions;

    /** @param sessions whether the gh_session cookie is a credential (auth.session.enabled) */
    public CredentialExtractor(boolean allowQueryToken, boolean sessions) {
        this.allowQueryToken = allowQueryToken;
        this.sessions = sessions;
    }

    /** The credential of a WebSocket upgrade: a cookie session's CSRF token may come in {@code ?csrf_token=}. */
    public Extraction extract(AuthRequest request) {
        return extract(request, true);
    }

    /**
     * The credential of an HTTP API request: a cookie session's CSRF token comes from the
     * {@code X-CSRF-Token} header only, which a cross-site page cannot set, never from the query.
     */
    public Extraction extractForHttpApi(AuthRequest request) {
        return extract(request, false);
    }

    private Extraction extract(AuthRequest request, boolean csrfInQuery) {
        String authorization = request.header("Authorization");
        if (authorization != null) {
            if (authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
                String token = authorization.substring(BEARER.length()).trim();
                if (!token.isEmpty()) {
                    return found(token, CredentialCarrier.AUTHORIZATION_HEADER);
                }
            }
            return new Extraction(
                    null, RefusalCode.TOKEN_INVALID.refusal("The Authorization header must be 'Bearer <token>'"));
        }
        List<String> protocols = request.subprotocols();
        for (String p : protocols) {
            if (p.startsWith(Subprotocols.BEARER_PREFIX)) {
                String token = p.substring(Subprotocols.BEARER_PREFIX.length());
                if (token.isEmpty()) {
                    return new Extraction(
                            null,
                            RefusalCode.TOKEN_INVALID.refusal("The subprotocol must be gatehouse.bearer.<token>"));
                }
                return found(token, CredentialCarrier.SUBPROTOCOL);
            }
        }
        String query = request.queryParameter("token");
        if (query != null && !query.isEmpty()) {
            if (!allowQueryToken) {
                return new Extraction(
                        null,
                        RefusalCode.TOKEN_INVALID.refusal(
                                "Query-string tokens are turned off (auth.allow_query_token); send Authorization: Bearer or the gatehouse.bearer subprotocol"));
            }
            return found(query, CredentialCarrier.QUERY);
        }
        String session = sessions ? request.cookie(Sessions.SESSION_COOKIE) : null;
        if (session != null && !session.isEmpty()) {
            String csrf = csrfInQuery ? request.queryParameter("csrf_token") : null;
            if (csrf == null || csrf.isEmpty()) {
                csrf = request.header(Sessions.CSRF_HEADER);
            }
            return new Extraction(
                    new Credential(session, CredentialCarrier.COOKIE, csrf == null || csrf.isEmpty() ? null : csrf),
                    null);
        }
        return Extraction.NONE;
    }

    private static Extraction found(String token, CredentialCarrier carrier) {
        return new Extraction(new Credential(token, carrier), null);
    }
}
