package io.gatehouse.tasks;

import io.gatehouse.store.TaskRecord;

/**
 * What a cancel request found: the task as it stands after it, and whether this request changed it
 * (a running task became cancel_requested) or found it as it was (already asked, or finished).
 */
public record CancelAnswer(TaskRecord task, boolean requested) {}
