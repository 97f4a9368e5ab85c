package io.gatehouse.store;

import java.time.Instant;
import java.util.Objects;

/**
 * One task as stored (docs/protocol.md, "Tasks"). {@code total} is null when unknown;
 * {@code message}, {@code resultJson} and {@code dataJson} may be null; the JSON fields hold the
 * backend's JSON text as it sent it. {@code finishedAt} is set exactly when the status is final.
 */
public record TaskRecord(
        String id,
        String owner,
        String kind,
        String title,
        TaskStatus status,
        long done,
        Long total,
        String message,
        String resultJson,
        String dataJson,
        Instant createdAt,
        Instant updatedAt,
        Instant finishedAt) {
    public TaskRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }

    /** This task with its progress fields replaced. */
    public TaskRecord withProgress(long done, Long total, String message, Instant at) {
        return new TaskRecord(
                id, owner, kind, title, status, done, total, message, resultJson, dataJson, createdAt, at, finishedAt);
    }

    /** This task in {@code next} status at {@code at} (finished then if next is final). */
    public TaskRecord withStatus(TaskStatus next, long done, String message, String resultJson, Instant at) {
        return new TaskRecord(
                id,
                owner,
                kind,
                title,
                next,
                done,
                total,
                message,
                resultJson,
                dataJson,
                createdAt,
                at,
                next.isFinished() ? at : null);
    }
}
