package io.gatehouse.transport;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP side's clocks (first in the pipeline, before the codec, so it sees every byte):
 * {@code server.request_timeout} from accept to the first whole request and from the first byte of
 * each later request to its last, {@code server.idle_timeout} between requests on a kept-alive
 * connection. Time spent answering is ours, not the client's: no clock runs while a request is
 * being answered, until its answer is written: an answer the client does not take within the
 * request timeout closes the connection too. A clock that runs out closes the connection, so
 * partial headers, silent sockets and clients that do not read cannot hold a descriptor. An upgrade removes this handler (WebSocket connections have
 * their auth timeout and heartbeat). Only used on the channel's event loop.
 */
final class HttpDeadlines extends ChannelDuplexHandler {
    static final String NAME = "deadlines";

    private enum State {
        READING,
        ANSWERING,
        IDLE
    }

    private final Duration requestTimeout;
    private final Duration idleTimeout;
    private ChannelHandlerContext ctx;
    private State state = State.READING;
    /** Bytes arrived while a request was being answered: the next request has begun. */
    private boolean readWhileAnswering;

    private ScheduledFuture<?> timer;

    HttpDeadlines(Duration requestTimeout, Duration idleTimeout) {
        this.requestTimeout = requestTimeout;
        this.idleTimeout = idleTimeout;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        arm(requestTimeout);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancel();
        super.channelInactive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (state == State.IDLE) {
            state = State.READING;
            arm(requestTimeout);
        } else if (state == State.ANSWERING) {
            readWhileAnswering = true;
        }
        super.channelRead(ctx, msg);
    }

    /** A whole request has arrived: answering it is not the client's time. */
    void requestReceived() {
        state = State.ANSWERING;
        readWhileAnswering = false;
        cancel();
    }

    /**
     * An answer is being written: if the client does not take it within server.request_timeout
     * (it does not read), the connection is closed. The write's completion moves on to
     * {@link #answered} or the next request, which replace this clock.
     */
    void writing(io.netty.channel.ChannelFuture written) {
        if (!written.isDone() && state == State.ANSWERING) {
            arm(requestTimeout);
        }
    }

    /** The last response is written and the connection stays open: wait for the next request. */
    void answered() {
        if (readWhileAnswering) {
            state = State.READING;
            arm(requestTimeout);
        } else {
            state = State.IDLE;
            arm(idleTimeout);
        }
    }

    private void arm(Duration after) {
        cancel();
        timer = ctx.executor()
                .schedule(
                        () -> {
                            if (ctx.channel().isActive()) {
                                ctx.close();
                            }
                        },
                        after.toNanos(),
                        TimeUnit.NANOSECONDS);
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
