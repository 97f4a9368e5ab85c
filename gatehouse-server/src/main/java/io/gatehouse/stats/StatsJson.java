package io.gatehouse.stats;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.protocol.WireCodec;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The {@code data} of {@code stats_update} as JSON text (docs/protocol.md, "Live statistics"),
 * streamed without a tree: the whole Stats with its history for {@code get_stats}, {node, now}
 * for the pushes. Thread-safe.
 */
final class StatsJson {
    /** About what one sample takes, to size the buffer of a history. */
    private static final int SAMPLE_CHARS = 360;

    private final JsonFactory factory;

    StatsJson(JsonFactory factory) {
        this.factory = factory;
    }

    /** {node, version, started_at, uptime_ms, interval_ms, now, history}: {@code now} is the last of {@code history}. */
    String full(String node, String version, Instant startedAt, long intervalMillis, List<Sample> history) {
        Sample now = history.get(history.size() - 1);
        StringWriter out = new StringWriter(SAMPLE_CHARS * (history.size() + 2));
        try (JsonGenerator g = factory.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("node", node);
            g.writeStringField("version", version);
            g.writeStringField("started_at", WireCodec.timestamp(startedAt));
            g.writeNumberField("uptime_ms", now.uptimeMillis());
            g.writeNumberField("interval_ms", intervalMillis);
            g.writeFieldName("now");
            sample(g, now);
            g.writeArrayFieldStart("history");
            for (Sample s : history) {
                sample(g, s);
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** {node, now}: what every subscriber of gatehouse:stats gets each interval. */
    String push(String node, Sample now) {
        StringWriter out = new StringWriter(SAMPLE_CHARS + 64);
        try (JsonGenerator g = factory.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("node", node);
            g.writeFieldName("now");
            sample(g, now);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static void sample(JsonGenerator g, Sample s) throws IOException {
        g.writeStartObject();
        g.writeStringField("at", WireCodec.timestamp(s.at()));
        g.writeNumberField("connections", s.connections());
        g.writeNumberField("upgrades_accepted", s.upgradesAccepted());
        g.writeObjectFieldStart("upgrades_refused");
        for (Map.Entry<RefusalCode, Double> e : s.upgradesRefused().entrySet()) {
            g.writeNumberField(e.getKey().name(), e.getValue());
        }
        g.writeEndObject();
        g.writeNumberField("messages_in", s.messagesIn());
        g.writeNumberField("messages_out", s.messagesOut());
        g.writeNumberField("deliveries", s.deliveries());
        g.writeNumberField("slow_consumers", s.slowConsumers());
        g.writeNumberField("access_log_queue", s.accessLogQueue());
        g.writeNumberField("webhook_queue", s.webhookQueue());
        g.writeNumberField("heap_used_bytes", s.heapUsedBytes());
        g.writeNumberField("heap_max_bytes", s.heapMaxBytes());
        g.writeFieldName("cpu_process");
        if (Double.isNaN(s.cpuProcess())) {
            g.writeNull();
        } else {
            g.writeNumber(s.cpuProcess());
        }
        g.writeNumberField("uptime_ms", s.uptimeMillis());
        g.writeEndObject();
    }
}
