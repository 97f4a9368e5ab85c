package io.gatehouse.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.auth.PrintableId;
import io.gatehouse.hub.Connection;
import io.gatehouse.protocol.EncodedMessage;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.protocol.ServerMessage;
import io.gatehouse.store.StoreException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a client connection does with tasks (SPEC §4): the catch-up after
 * {@code connection_established} and {@code cancel_task}. Both read the database on the blocking
 * pool, never on the connection's thread, so a handshake never waits for them.
 *
 * @param blocking where the database is read
 */
public record TaskCommands(Tasks tasks, Executor blocking) {
    private static final Logger LOG = LoggerFactory.getLogger(TaskCommands.class);

    /**
     * Sends {@code c} one task_progress per unfinished task of its user. If the database cannot be
     * read, the connection goes without and a log line says so.
     */
    public void catchUp(Connection c) {
        try {
            blocking.execute(() -> {
                try {
                    tasks.sendUnfinished(c);
                } catch (StoreException e) {
                    LOG.warn("Task catch-up skipped for connection {}: {}", c.id(), e.getMessage());
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.warn("Task catch-up skipped for connection {}: the server is overloaded", c.id());
        }
    }

    /** {@code cancel_task} from {@code c}: the reply is task_progress with the task, or an error NOT_FOUND. */
    public void cancel(Connection c, JsonNode requestId, String taskId) {
        try {
            blocking.execute(() -> c.send(cancelReply(c, requestId, taskId)));
        } catch (RejectedExecutionException e) {
            c.send(error(RefusalCode.BACKEND_UNAVAILABLE, "The server is overloaded; back off and retry", requestId));
        }
    }

    private EncodedMessage cancelReply(Connection c, JsonNode requestId, String taskId) {
        try {
            return tasks.requestCancel(taskId, c.principal().user())
                    .map(a -> tasks.frame(requestId, a.task()))
                    .orElseGet(() -> error(RefusalCode.NOT_FOUND, TaskIds.notFound(taskId), requestId));
        } catch (StoreException e) {
            LOG.warn("cancel_task of {} failed: {}", PrintableId.escape(taskId), e.getMessage());
            return error(RefusalCode.BACKEND_UNAVAILABLE, "The database is unavailable; retry later", requestId);
        }
    }

    private EncodedMessage error(RefusalCode code, String hint, JsonNode requestId) {
        return tasks.codec().encode(ServerMessage.Error.of(code.refusal(hint), requestId));
    }
}
