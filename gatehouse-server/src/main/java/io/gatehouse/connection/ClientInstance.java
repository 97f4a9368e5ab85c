package io.gatehouse.connection;

import io.gatehouse.auth.Principal;

/**
 * Which client a connection belongs to, as the duplicate policy counts them (SPEC §7): two
 * connections of one instance are duplicates. Today an instance is a credential (a session or a
 * token); SPEC §7 makes it the credential together with the instance id a client generates once
 * per page load, so that tabs sharing a token are different instances and a connection without an
 * instance id is never a duplicate. That id joins this record.
 *
 * @param credentialId the principal's credential id (a token prefix, a session prefix, a JWT's fingerprint)
 */
public record ClientInstance(String credentialId) {
    static ClientInstance of(Principal principal) {
        return new ClientInstance(principal.credentialId());
    }
}
