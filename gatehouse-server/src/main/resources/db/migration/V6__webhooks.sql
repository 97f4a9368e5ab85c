-- The webhook outbox (SPEC §9, docs/webhooks.md): one row per event for the application's
-- backend, written in the step that makes the event true and sent by the delivery worker until the
-- backend answers 2xx. Needs none of V5's tables.
--
-- id is evt_ and 32 hex digits, the receiver's key for de-duplication. body is the exact JSON that
-- is POSTed, every attempt the same bytes. status is pending, delivered or dead (max_attempts
-- failed; kept for GET /api/v1/hooks/dead). next_attempt_at is when a pending event is due; a
-- worker that takes an event moves it forward by a lease, so two nodes never send it at once.
-- last_error is why the latest attempt failed (an HTTP status or a network error), cut to 1000
-- characters. updated_at is the last change; delivered rows are deleted a day after it.
CREATE TABLE webhook_events (
    id              VARCHAR(64)              NOT NULL PRIMARY KEY,
    type            VARCHAR(64)              NOT NULL,
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    body            VARCHAR(1000000)         NOT NULL,
    attempts        INTEGER                  NOT NULL,
    next_attempt_at TIMESTAMP WITH TIME ZONE NOT NULL,
    status          VARCHAR(16)              NOT NULL,
    last_error      VARCHAR(1000),
    updated_at      TIMESTAMP WITH TIME ZONE NOT NULL
);

-- The worker's question (which pending events are due) and the queue depth.
CREATE INDEX webhook_events_due ON webhook_events (status, next_attempt_at);
