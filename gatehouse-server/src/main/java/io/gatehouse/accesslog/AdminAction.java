package io.gatehouse.accesslog;

/**
 * What an admin did through the HTTP API with a cookie session (a task cancel also with a token),
 * as the access log's {@code action} column names it (docs/protocol.md, "Admin API").
 */
public enum AdminAction {
    /** {@code POST /api/v1/publish}; the target is the channel. */
    PUBLISH("publish"),
    /** {@code POST /api/v1/broadcast}; the target is the channels, comma-separated. */
    BROADCAST("broadcast"),
    /** {@code POST /api/v1/users/{id}/disconnect}; the target is the user id and {@code code=CODE}. */
    USER_DISCONNECT("user.disconnect"),
    /** {@code POST /api/v1/connections/{id}/disconnect}; the target is the connection id and {@code code=CODE}. */
    CONNECTION_DISCONNECT("connection.disconnect"),
    /** {@code DELETE /api/v1/users/{id}/tokens/{prefix}}; the target is {@code USER_ID PREFIX}. */
    TOKEN_REVOKE("token.revoke"),
    /** {@code POST /api/v1/hooks/dead/{id}/retry}; the target is the event id. */
    WEBHOOK_RETRY("webhook.retry"),
    /** {@code POST /api/v1/tasks/{id}/cancel} of another user's task; the target is the task id. */
    TASK_CANCEL("task.cancel");

    private final String wireName;

    AdminAction(String wireName) {
        this.wireName = wireName;
    }

    /** The name in the access log's {@code action} column and the API's {@code action} field. */
    public String wireName() {
        return wireName;
    }
}
