package io.gatehouse.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * The body of an answer to one of Gatehouse's own HTTP calls (a JWKS fetch, the channel proxy),
 * read into memory up to {@code max} bytes; a longer one is cut off (the stream is cancelled) and
 * fails with {@link TooLarge}, so that no answer can take more memory than that. The package
 * {@code http} holds what those calls share and imports nothing of Gatehouse.
 */
public final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
    /** The answer was longer than the bound. */
    public static final class TooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        TooLarge(int max) {
            super("the body is larger than " + max + " bytes");
        }
    }

    private final int max;
    private final CompletableFuture<byte[]> body = new CompletableFuture<>();
    // Only accessed by the HTTP client's delivery, which is sequential.
    private final ByteArrayOutputStream read = new ByteArrayOutputStream();
    private Flow.Subscription subscription;

    public BoundedBody(int max) {
        this.max = max;
    }

    @Override
    public CompletionStage<byte[]> getBody() {
        return body;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        if (body.isDone()) {
            return;
        }
        for (ByteBuffer b : buffers) {
            if (read.size() + b.remaining() > max) {
                subscription.cancel();
                body.completeExceptionally(new TooLarge(max));
                return;
            }
            byte[] chunk = new byte[b.remaining()];
            b.get(chunk);
            read.write(chunk, 0, chunk.length);
        }
    }

    @Override
    public void onError(Throwable failure) {
        body.completeExceptionally(failure);
    }

    @Override
    public void onComplete() {
        body.complete(read.toByteArray());
    }
}
