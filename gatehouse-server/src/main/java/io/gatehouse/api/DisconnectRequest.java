package io.gatehouse.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.protocol.RefusalCode;

/**
 * The body of a disconnect ({@code POST /api/v1/users/{id}/disconnect},
 * {@code POST /api/v1/connections/{id}/disconnect}): {@code {"code"?, "reason"?}}. {@code code} is
 * a refusal code (default DISCONNECTED): the close frame carries its close code and the code alone
 * as the reason (SPEC §3). {@code reason} is for the server log only, cut to fit one line.
 */
record DisconnectRequest(RefusalCode code, String loggedReason) {
    private static final int MAX_LOGGED_REASON_CHARS = 200;

    static DisconnectRequest of(ApiRequest req, ObjectMapper json) {
        ObjectNode body = RequestBody.object(req, json);
        String codeText = RequestBody.optionalText(body, "code");
        RefusalCode code = codeText == null
                ? RefusalCode.DISCONNECTED
                : RefusalCode.fromName(codeText)
                        .orElseThrow(
                                () -> RequestBody.bad(
                                        "code must be a refusal code such as DISCONNECTED or TOKEN_REVOKED (see docs/protocol.md)"));
        String reason = RequestBody.optionalText(body, "reason");
        String logged = reason == null ? "" : reason.replaceAll("\\p{Cntrl}", " ");
        return new DisconnectRequest(
                code,
                logged.length() > MAX_LOGGED_REASON_CHARS ? logged.substring(0, MAX_LOGGED_REASON_CHARS) : logged);
    }
}
