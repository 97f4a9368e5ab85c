package io.gatehouse.concurrent;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ThreadsTest {
    @Test
    void blockingCallsAreRefusedOnEventLoopThreads() throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread loop = new Thread(
                () -> {
                    try {
                        Threads.assertMayBlock();
                    } catch (Throwable t) {
                        failure.set(t);
                    }
                },
                Threads.EVENT_LOOP_PREFIX + "-1-1");
        loop.start();
        loop.join();
        assertThatThrownBy(() -> {
                    throw failure.get();
                })
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("event loop");
    }

    @Test
    void blockingCallsAreAllowedElsewhere() {
        assertThatCode(Threads::assertMayBlock).doesNotThrowAnyException();
    }
}
