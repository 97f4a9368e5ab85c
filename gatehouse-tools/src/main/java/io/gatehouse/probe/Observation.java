package io.gatehouse.probe;

import java.util.Map;

/** What the probe saw the server do for one check: a line for the table, and its facts for the JSON. */
public interface Observation {
    /** One line for the table, e.g. {@code close 4401 TOKEN_INVALID} or {@code cut after 26 KiB}. */
    String describe();

    /** The facts behind {@link #describe()} as JSON fields (numbers and strings), in order. */
    Map<String, Object> facts();
}
