package io.gatehouse.store;

import java.time.Instant;

/** One status change of a task: to {@code status} at {@code at}, by {@code actor} (apikey:NAME or user:ID). */
public record TaskHistoryEntry(TaskStatus status, Instant at, String actor, String message) {}
