package io.gatehouse.connection;

import io.gatehouse.auth.Principal;

/**
 * Which client a connection belongs to, as the duplicate policy counts them (SPEC §7): the
 * credential (a session or a token) together with the instance id the client generates once per
 * page load or client object. Tabs that share a token are different instances; a connection
 * without an instance id ({@code instanceId} null) is never a duplicate.
 *
 * @param credentialId the principal's credential id (a token prefix, a session prefix, a JWT's fingerprint)
 */
public record ClientInstance(String credentialId, String instanceId) {
    static ClientInstance of(Principal principal, String instanceId) {
        return new ClientInstance(principal.credentialId(), instanceId);
    }

    /** Whether the client named its instance; only then can a connection be a duplicate. */
    boolean named() {
        return instanceId != null;
    }
}
