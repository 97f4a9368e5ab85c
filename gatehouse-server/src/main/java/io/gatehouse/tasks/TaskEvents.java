package io.gatehouse.tasks;

import io.gatehouse.store.TaskRecord;
import io.gatehouse.store.WebhookEvent;
import java.util.List;

/**
 * The webhook events that task changes raise (docs/webhooks.md): {@code task.cancel_requested}.
 * Its outbox rows are written in the transaction of the status change that makes it true, so the
 * change and its event are committed, or lost, together.
 */
public interface TaskEvents {
    /** Raises nothing: webhooks are off. */
    TaskEvents NONE = new TaskEvents() {
        @Override
        public List<WebhookEvent> cancelRequested(TaskRecord task) {
            return List.of();
        }

        @Override
        public void written(int count) {}
    };

    /** The outbox rows for "the owner asked to cancel {@code task}" ({@code task} as it is now); empty when not sent. */
    List<WebhookEvent> cancelRequested(TaskRecord task);

    /** {@code count} rows from {@link #cancelRequested} were committed: send them now. */
    void written(int count);
}
