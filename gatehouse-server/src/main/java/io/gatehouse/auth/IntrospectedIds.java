package io.gatehouse.auth;

import io.gatehouse.protocol.RefusalException;
import java.util.concurrent.CompletionStage;

/**
 * The {@link IntrospectionVerifier} with its users' ids in introspection's namespace
 * ({@link UserIds#introspected}): bare when introspection is the primary source, else
 * {@code introspection:ID}.
 */
public record IntrospectedIds(TokenVerifier introspection, UserIds ids) implements TokenVerifier {
    @Override
    public boolean claims(String token) {
        return introspection.claims(token);
    }

    @Override
    public CompletionStage<Verdict> verify(String token) {
        return introspection.verify(token).thenApply(this::namespaced);
    }

    private Verdict namespaced(Verdict v) {
        if (!v.isAccepted()) {
            return v;
        }
        Principal p = v.principal();
        User u = p.user();
        try {
            User named = new User(ids.introspected(u.id()), u.name(), u.roles());
            return Verdict.accepted(new Principal(named, p.channels(), p.expiresAt(), p.kind(), p.credentialId()));
        } catch (RefusalException reserved) {
            return Verdict.refused(reserved.refusal());
        }
    }
}
