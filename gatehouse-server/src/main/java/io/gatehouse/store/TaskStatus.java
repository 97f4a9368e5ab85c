package io.gatehouse.store;

import java.util.Locale;
import java.util.Optional;

/** Where a task stands (docs/protocol.md, "Tasks"); the last three are final. */
public enum TaskStatus {
    RUNNING,
    CANCEL_REQUESTED,
    CANCELLED,
    COMPLETED,
    FAILED;

    /** Whether the task is over: nothing changes it any more. */
    public boolean isFinished() {
        return this == CANCELLED || this == COMPLETED || this == FAILED;
    }

    /** The lower-case name used on the wire and in the database. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<TaskStatus> fromWire(String s) {
        for (TaskStatus t : values()) {
            if (t.wireName().equals(s)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
