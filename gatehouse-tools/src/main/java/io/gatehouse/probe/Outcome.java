package io.gatehouse.probe;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What the server did with one upgrade request, as a client on the wire saw it. Says nothing about
 * whether that was right: {@link Rule} judges it.
 */
public sealed interface Outcome extends Observation {

    /** The data frames the server sent after the upgrade: how many, and the first, abbreviated. */
    record Received(int count, String first) {
        static final Received NOTHING = new Received(0, null);

        String describe() {
            return switch (count) {
                case 0 -> "";
                case 1 -> "1 message: " + first;
                default -> count + " messages, first: " + first;
            };
        }
    }

    /**
     * Answered the upgrade with an HTTP status other than 101: not upgraded.
     *
     * @param code the {@code code} of a JSON body such as Gatehouse's {@code {"error","code","hint"}}, or null
     */
    record Refused(int status, String statusText, String code) implements Outcome {
        @Override
        public String describe() {
            return "HTTP " + status + (code != null ? " " + code : statusText.isEmpty() ? "" : " " + statusText);
        }

        @Override
        public Map<String, Object> facts() {
            Map<String, Object> facts = new LinkedHashMap<>();
            facts.put("http_status", status);
            if (code != null) {
                facts.put("http_code", code);
            }
            return facts;
        }
    }

    /**
     * Upgraded, then sent a close frame.
     *
     * @param code {@link #NO_STATUS} when the close frame carried no code
     */
    record Closed(int code, String reason, Duration after, Received received) implements Outcome {
        /** RFC 6455 §7.4.1: what a client reports for a close frame without a code. */
        public static final int NO_STATUS = 1005;

        @Override
        public String describe() {
            String what = code == NO_STATUS
                    ? "close without a code"
                    : "close " + code + (reason.isBlank() ? " (no reason)" : " " + reason);
            return what + afterText(after) + (received.count() == 0 ? "" : ", before it " + received.describe());
        }

        @Override
        public Map<String, Object> facts() {
            Map<String, Object> facts = new LinkedHashMap<>();
            facts.put("close_code", code);
            facts.put("close_reason", reason);
            facts.putAll(timing(after, received));
            return facts;
        }
    }

    /** Upgraded, then the TCP connection ended without a close frame (a browser reports 1006). */
    record Dropped(Duration after, Received received) implements Outcome {
        @Override
        public String describe() {
            return "upgraded, then dropped without a close frame" + afterText(after)
                    + (received.count() == 0 ? "" : ", before it " + received.describe());
        }

        @Override
        public Map<String, Object> facts() {
            return timing(after, received);
        }
    }

    /** Upgraded and still open when the probe stopped looking: accepted. */
    record StillOpen(Duration after, Received received) implements Outcome {
        @Override
        public String describe() {
            return received.count() == 0
                    ? "upgraded, still open" + afterText(after) + ", no message"
                    : "upgraded, " + received.describe();
        }

        @Override
        public Map<String, Object> facts() {
            return timing(after, received);
        }
    }

    /** The connection was made, but no HTTP answer came: closed, reset, or silent. */
    record NoAnswer(String why) implements Outcome {
        @Override
        public String describe() {
            return "no HTTP answer: " + why;
        }

        @Override
        public Map<String, Object> facts() {
            return Map.of();
        }
    }

    private static Map<String, Object> timing(Duration after, Received received) {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("after_ms", after.toMillis());
        facts.put("messages", received.count());
        return facts;
    }

    private static String afterText(Duration after) {
        return after.toMillis() < 1000 ? "" : String.format(Locale.ROOT, " after %.1f s", after.toMillis() / 1000.0);
    }
}
