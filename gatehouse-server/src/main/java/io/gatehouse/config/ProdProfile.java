package io.gatehouse.config;

import java.util.ArrayList;
import java.util.List;

/**
 * What {@code --profile prod} refuses (SPEC §1): combinations that are convenient on a laptop and
 * unsafe on the internet. Reads only the typed configuration, so {@link ConfigLoader} can report
 * every problem at once, each with the key that fixes it.
 */
final class ProdProfile {

    /** One refused combination: the key to change, and why and how, in words for the operator. */
    record Problem(ConfigKey key, String text) {
    }

    private ProdProfile() {
    }

    /** Every problem of {@code config} under the prod profile, in SPEC order; empty when it may start. */
    static List<Problem> problems(GatehouseConfig config) {
        List<Problem> out = new ArrayList<>();
        GatehouseConfig.Auth auth = config.auth();
        GatehouseConfig.Server server = config.server();
        if (auth.jwt().secret().isEmpty()) {
            out.add(new Problem(ConfigKey.AUTH_JWT_SECRET, "empty, so a secret is generated into data_dir: it differs on every"
                    + " node and is lost with the directory; set it to at least 32 random bytes, the same on every node"
                    + " (e.g. openssl rand -base64 48)"));
        }
        // Wildcards never get this far: ConfigLoader refuses them in every profile.
        if (auth.session().enabled() && server.allowedOrigins().isEmpty()) {
            out.add(new Problem(ConfigKey.SERVER_ALLOWED_ORIGINS, "empty while cookie sessions are on: the server's own origin"
                    + " is then judged by the Host header alone, which a DNS-rebinding page can match; list the origins of"
                    + " your pages (e.g. https://app.example.com), or set auth.session.enabled: false if every client sends"
                    + " a token"));
        }
        if (auth.allowQueryToken()) {
            out.add(new Problem(ConfigKey.AUTH_ALLOW_QUERY_TOKEN, "true: a token in ?token= is written to proxy access logs"
                    + " and browser history; set it to false and send tokens in the Authorization header, the"
                    + " gatehouse.bearer.<token> subprotocol or the first auth message"));
        }
        if (auth.jwt().acceptsIssuerKeys()) {
            String keys = issuerKeySources(auth.jwt());
            if (auth.jwt().issuer().isEmpty()) {
                out.add(new Problem(ConfigKey.AUTH_JWT_ISSUER, "empty while " + keys + " is set: an RS256/ES256 token that"
                        + " another issuer signed with a key there would be accepted; set it to the iss your identity"
                        + " provider writes"));
            }
            if (auth.jwt().audience().isEmpty()) {
                out.add(new Problem(ConfigKey.AUTH_JWT_AUDIENCE, "empty while " + keys + " is set: a token your identity"
                        + " provider issued for another application would be accepted; set it to the aud your tokens carry"
                        + " for Gatehouse"));
            }
        }
        if (server.trustedProxies().isEmpty() && !server.tlsTerminatedUpstream()) {
            out.add(new Problem(ConfigKey.SERVER_TRUSTED_PROXIES, "empty and server.tls_terminated_upstream is false:"
                    + " Gatehouse does not speak TLS, so tokens, passwords and cookies would cross the network in clear;"
                    + " put a TLS-terminating proxy in front and list its addresses here (e.g. 10.0.0.0/8), or set"
                    + " server.tls_terminated_upstream: true if TLS ends at a load balancer whose forwarded addresses"
                    + " are not to be believed"));
        }
        return out;
    }

    private static String issuerKeySources(GatehouseConfig.Jwt jwt) {
        if (!jwt.publicKeys().isEmpty() && !jwt.jwksUrl().isEmpty()) {
            return ConfigKey.AUTH_JWT_PUBLIC_KEYS.key() + " or " + ConfigKey.AUTH_JWT_JWKS_URL.key();
        }
        return jwt.publicKeys().isEmpty() ? ConfigKey.AUTH_JWT_JWKS_URL.key() : ConfigKey.AUTH_JWT_PUBLIC_KEYS.key();
    }
}
