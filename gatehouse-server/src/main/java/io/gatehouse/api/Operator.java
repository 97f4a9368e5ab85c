package io.gatehouse.api;

import io.gatehouse.accesslog.AccessLog;
import io.gatehouse.accesslog.AdminAction;
import io.gatehouse.auth.Credential;
import io.gatehouse.auth.Principal;
import io.gatehouse.auth.PrintableId;

/**
 * Who is using an admin endpoint, as {@link AdminCheck} let them in: an API key, by its name, or an
 * admin user, by the cookie session (or, on the user endpoint where an admin acts on another user's
 * task, by the credential it came with). {@link #performed} records what they did: an admin user's
 * actions become rows of the access log naming the admin; an API key's stay in the server log under
 * the key's name, as they always were (a backend may publish thousands a second).
 */
final class Operator {
    private final String keyName;
    private final Principal admin;
    private final Credential credential;
    private final ApiRequest request;
    private final AccessLog accessLog;

    private Operator(String keyName, Principal admin, Credential credential, ApiRequest request, AccessLog accessLog) {
        this.keyName = keyName;
        this.admin = admin;
        this.credential = credential;
        this.request = request;
        this.accessLog = accessLog;
    }

    static Operator key(String keyName) {
        return new Operator(keyName, null, null, null, null);
    }

    /** The admin user {@code admin}, who came with {@code credential} (its cookie session, or a token). */
    static Operator admin(Principal admin, Credential credential, ApiRequest request, AccessLog accessLog) {
        return new Operator(null, admin, credential, request, accessLog);
    }

    /** Records that this operator did {@code action} to {@code target} (docs/protocol.md, "Admin API"). */
    void performed(AdminAction action, String target) {
        if (admin != null) {
            accessLog.action(action, target, admin, credential, request.clientIp(), request);
        }
    }

    /** {@code key=NAME} or {@code user=ID}, for a server log line. */
    @Override
    public String toString() {
        return admin == null
                ? "key=" + keyName
                : "user=" + PrintableId.escape(admin.user().id());
    }
}
