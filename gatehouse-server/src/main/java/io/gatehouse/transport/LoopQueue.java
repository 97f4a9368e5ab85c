package io.gatehouse.transport;

import io.gatehouse.protocol.EncodedMessage;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.internal.PlatformDependent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.WeakHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The text frames waiting for the connections of one event loop, in the order they were queued:
 * any thread queues them, and one task on the loop writes whatever has gathered, then flushes
 * each connection it wrote to once (write coalescing). A publication fanned out to thousands of
 * connections costs one task per loop, not one per connection, and one queue that stays in the
 * cache rather than a queue node in each connection's own. One per event loop, found by the
 * connection's {@link Outbox} as it is made on that loop's thread.
 */
final class LoopQueue {
    /**
     * A task writes what was queued when it started, and at least this many frames, before it lets
     * the loop's other work run: the rest is written by a task scheduled after the loop's next look
     * at its sockets, so that a burst of thousands of frames does not keep an HTTP publish (or a
     * client's message) waiting until its end. Under a sustained overload the queue is longer at
     * each start, so each task writes more frames to each connection per flush (coalescing grows
     * with the load, as it must for a million frames a second).
     */
    static final int MIN_PER_TASK = 1024;

    /**
     * The queues of the calling thread's event loops: one for a Netty event-loop thread; in tests,
     * where many {@code EmbeddedChannel}s share one thread, one per channel, each drained only when
     * its channel runs its tasks. Weak: a loop that is gone takes its queue along.
     */
    private static final FastThreadLocal<Map<EventLoop, LoopQueue>> OF_THREAD = new FastThreadLocal<>() {
        @Override
        protected Map<EventLoop, LoopQueue> initialValue() {
            return new WeakHashMap<>(2);
        }
    };

    private record Frame(Outbox to, EncodedMessage message) {}

    private final Queue<Frame> frames = PlatformDependent.newMpscQueue();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Runnable writeTask = this::write;
    /** The connections written to since their last flush. Only accessed on the loop. */
    private final List<Outbox> written = new ArrayList<>();
    /** Inside {@link #write}: a connection closing from within it does not write the rest again. */
    private boolean writing;

    private LoopQueue() {}

    /** The queue of {@code loop}, whose thread calls this. */
    static LoopQueue of(EventLoop loop) {
        return OF_THREAD.get().computeIfAbsent(loop, l -> new LoopQueue());
    }

    /** Queues {@code message} for {@code to}, whose channel is on {@code loop}. Any thread. */
    void offer(Outbox to, EncodedMessage message, EventLoop loop) {
        frames.offer(new Frame(to, message));
        if (!scheduled.get() && scheduled.compareAndSet(false, true)) {
            loop.execute(writeTask);
        }
    }

    /**
     * Writes what is queued (what was queued when it started, at least {@link #MIN_PER_TASK} frames;
     * the rest after the loop's next I/O pass) and flushes every connection it wrote to. On the
     * event loop. Run from within itself (a connection closing as a frame is written, a test channel
     * running its tasks as it flushes), it writes nothing: the pass already running goes on, and
     * looks again at its end.
     */
    void write() {
        write(Math.max(MIN_PER_TASK, frames.size()));
    }

    /**
     * Writes everything queued now: for a connection about to write its close frame, whose frames
     * queued before must all go out first. On the event loop.
     */
    void writeAll() {
        write(Math.max(1, frames.size()));
    }

    private void write(int max) {
        if (writing) {
            scheduled.set(false); // this run is spent: the pass below makes sure of the next
            return;
        }
        writing = true;
        scheduled.set(false);
        Outbox last = null;
        try {
            Frame f;
            int n = 0;
            while (n < max && (f = frames.poll()) != null) {
                n++;
                last = f.to();
                if (last.write(f.message())) {
                    written.add(last);
                }
            }
            for (int i = 0; i < written.size(); i++) {
                written.get(i).flushWritten();
            }
        } finally {
            written.clear();
            writing = false;
        }
        if (last != null && !frames.isEmpty()) {
            // Scheduled, not executed: Netty runs due scheduled tasks after its next I/O pass, so a
            // burst does not hold up the sockets' reads. A second task, if a sender made one, finds
            // nothing to do.
            scheduled.set(true);
            last.eventLoop().schedule(writeTask, 0, TimeUnit.NANOSECONDS);
        }
    }
}
