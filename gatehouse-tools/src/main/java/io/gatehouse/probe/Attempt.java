package io.gatehouse.probe;

import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One upgrade request the probe sends, and how long it watches the socket once upgraded.
 *
 * @param headers extra request headers, in order (Origin, Authorization, Cookie, ...)
 * @param subprotocols the {@code Sec-WebSocket-Protocol} offer; empty for none
 * @param watch how long an upgraded socket is watched for a close before it counts as accepted
 * @param untilFirstMessage whether the first data frame ends the watch (the server took the credential)
 */
public record Attempt(
        URI uri, Map<String, String> headers, List<String> subprotocols, Duration watch, boolean untilFirstMessage) {

    public Attempt {
        headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        subprotocols = List.copyOf(subprotocols);
    }
}
