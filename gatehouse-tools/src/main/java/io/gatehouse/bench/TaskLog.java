package io.gatehouse.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The {@code task_progress} frames the owners' connections received, by task id: which owner got
 * each task's frames, the {@code done} of the last one, and whether any went backwards or reached
 * a connection of another owner. Frames of tasks this run did not create (the catch-up of an
 * earlier run's unfinished ones, or a creation push that beat the creation's answer) are kept too
 * and only counted. Written by the connections' event loops; read by the scenario thread.
 */
final class TaskLog {
    /** No frame yet. */
    static final long NONE = -1;

    /** One task's frames. Guarded by itself. */
    static final class Seen {
        /** The owner whose connection got the first frame. */
        private final int owner;

        private long lastDone = NONE;
        private long frames;
        private boolean otherOwner;
        private boolean backwards;

        Seen(int owner) {
            this.owner = owner;
        }
    }

    private final Map<String, Seen> tasks = new ConcurrentHashMap<>();
    private final LongAdder frames = new LongAdder();
    private final AtomicInteger unreadable = new AtomicInteger();

    /** A task_progress frame with {@code task} reached a connection of owner {@code owner}; on its event loop. */
    void received(int owner, JsonNode task) {
        frames.increment();
        String id = task.path("id").asText(null);
        JsonNode done = task.path("done");
        if (id == null || !done.canConvertToLong()) {
            unreadable.incrementAndGet();
            return;
        }
        Seen seen = tasks.computeIfAbsent(id, k -> new Seen(owner));
        synchronized (seen) {
            seen.frames++;
            if (seen.owner != owner) {
                seen.otherOwner = true;
            }
            if (done.asLong() < seen.lastDone) {
                seen.backwards = true;
            }
            seen.lastDone = done.asLong();
        }
    }

    /** Every task_progress frame received so far. */
    long frames() {
        return frames.sum();
    }

    /** The done of the last frame of task {@code id}, or {@link #NONE}. */
    long lastDone(String id) {
        Seen seen = tasks.get(id);
        if (seen == null) {
            return NONE;
        }
        synchronized (seen) {
            return seen.lastDone;
        }
    }

    /** What the frames of this run's tasks say, against each task's owner. */
    record Check(long frames, long otherFrames, int unreadable, int wrongOwner, int backwards) {}

    /** @param ids this run's tasks; @param ownerOf the owner index of each */
    Check check(List<String> ids, int[] ownerOf) {
        long ours = 0;
        int wrongOwner = 0;
        int backwards = 0;
        for (int t = 0; t < ids.size(); t++) {
            Seen seen = tasks.get(ids.get(t));
            if (seen == null) {
                continue;
            }
            synchronized (seen) {
                ours += seen.frames;
                wrongOwner += seen.otherOwner || seen.owner != ownerOf[t] ? 1 : 0;
                backwards += seen.backwards ? 1 : 0;
            }
        }
        return new Check(ours, frames() - ours - unreadable.get(), unreadable.get(), wrongOwner, backwards);
    }
}
