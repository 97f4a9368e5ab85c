package io.gatehouse.bench;

/**
 * What a {@link PublishConnection} sends and reports to: the fan-out {@link Publisher} (publications
 * on a schedule) or the tasks scenario's {@link ProgressWorker} (progress calls as fast as they are
 * answered). Request {@code seq} is the load's own numbering; every method but {@link #host} and
 * {@link #authorization} is called on the connection's event loop.
 */
interface HttpLoad {
    /** The {@code Host} header: {@code HOST:PORT}. */
    String host();

    /** The {@code Authorization} header: {@code apikey KEY}. */
    String authorization();

    /** The path of request {@code seq}. */
    String path(int seq);

    /** The JSON body of request {@code seq}, written at {@code sentNanos}. */
    String body(int seq, long sentNanos);

    /** Request {@code seq} was handed to the socket at {@code sentNanos}. */
    void sent(int seq, long sentNanos);

    /** Request {@code seq} was answered after {@code answerNanos}: {@code failure} is null for a 200. */
    void answered(int seq, long answerNanos, String failure);

    /** {@code c} is ready for a request. */
    void idle(PublishConnection c);

    /** The server closed {@code c}. */
    void lost(PublishConnection c);
}
