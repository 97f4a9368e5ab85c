package io.gatehouse.bench;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One run of one scenario: its settings, the sections it measured (absent ones are null and left
 * out of the JSON), the problems that fail it (lost or duplicated deliveries, failed handshakes,
 * dropped connections, failed calls, stale task states, missing webhook events) and notes that do
 * not. Written as JSON for {@code --json} and as a short
 * text for people.
 *
 * @param client event-loop threads, transport and source addresses of the load client
 */
@JsonPropertyOrder({"scenario", "passed", "url", "started_at", "settings", "client"})
public record BenchResult(
        String scenario,
        String url,
        String startedAt,
        Map<String, Object> settings,
        Map<String, Object> client,
        Handshakes handshakes,
        Deliveries deliveries,
        TaskUpdates tasks,
        HookDeliveries webhooks,
        ChurnPhases churn,
        MemoryUse memory,
        CpuUse cpu,
        List<String> problems,
        List<String> notes) {

    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .setDefaultPropertyInclusion(JsonInclude.Include.NON_NULL)
            .enable(SerializationFeature.INDENT_OUTPUT);

    public BenchResult {
        problems = List.copyOf(problems);
        notes = List.copyOf(notes);
    }

    /** A result without a churn section (every scenario but churn). */
    public BenchResult(
            String scenario,
            String url,
            String startedAt,
            Map<String, Object> settings,
            Map<String, Object> client,
            Handshakes handshakes,
            Deliveries deliveries,
            TaskUpdates tasks,
            HookDeliveries webhooks,
            MemoryUse memory,
            CpuUse cpu,
            List<String> problems,
            List<String> notes) {
        this(
                scenario,
                url,
                startedAt,
                settings,
                client,
                handshakes,
                deliveries,
                tasks,
                webhooks,
                null,
                memory,
                cpu,
                problems,
                notes);
    }

    /** Nothing went wrong that the scenario checks. */
    @JsonProperty("passed")
    public boolean passed() {
        return problems.isEmpty();
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (IOException e) {
            throw new IllegalStateException("a bench result is always serializable", e);
        }
    }

    public void writeJson(Path file) throws IOException {
        JSON.writeValue(file.toFile(), this);
    }

    /** The text for a terminal: what was run, each section, then PASSED or FAILED with the problems. */
    public String summary() {
        String nl = System.lineSeparator();
        StringBuilder out = new StringBuilder();
        out.append(scenario)
                .append(" against ")
                .append(url)
                .append(" ")
                .append(settings)
                .append(nl);
        for (String section : sections()) {
            section.lines().forEach(line -> out.append("  ").append(line).append(nl));
        }
        for (String note : notes) {
            out.append("  note: ").append(note).append(nl);
        }
        out.append(passed() ? "PASSED" : "FAILED: " + String.join("; ", problems))
                .append(nl);
        return out.toString();
    }

    /**
     * One run's result while its scenario runs: {@link BenchSetup#begin} starts it with what every
     * result has (scenario, server, start time, settings, client), the scenario adds problems and
     * notes in the order they should read, and {@link #build} adds the measured sections.
     */
    static final class Builder {
        private final String scenario;
        private final String url;
        private final String startedAt;
        private final Map<String, Object> settings;
        private final Map<String, Object> client;
        private final List<String> problems = new ArrayList<>();
        private final List<String> notes = new ArrayList<>();
        private TaskUpdates tasks;
        private HookDeliveries webhooks;
        private ChurnPhases churn;

        Builder(
                String scenario,
                String url,
                String startedAt,
                Map<String, Object> settings,
                Map<String, Object> client) {
            this.scenario = scenario;
            this.url = url;
            this.startedAt = startedAt;
            this.settings = settings;
            this.client = client;
        }

        /** Something that fails the run. */
        Builder problem(String problem) {
            problems.add(problem);
            return this;
        }

        Builder notes(List<String> more) {
            notes.addAll(more);
            return this;
        }

        Builder note(String note) {
            notes.add(note);
            return this;
        }

        /** The tasks scenario's section. */
        Builder tasks(TaskUpdates section) {
            tasks = section;
            return this;
        }

        /** The hooks scenario's section. */
        Builder webhooks(HookDeliveries section) {
            webhooks = section;
            return this;
        }

        /** The churn scenario's section. */
        Builder churn(ChurnPhases section) {
            churn = section;
            return this;
        }

        /** The result, with the sections the scenario measured (null for one it did not). */
        BenchResult build(Handshakes handshakes, Deliveries deliveries, MemoryUse memory, CpuUse cpu) {
            return new BenchResult(
                    scenario,
                    url,
                    startedAt,
                    settings,
                    client,
                    handshakes,
                    deliveries,
                    tasks,
                    webhooks,
                    churn,
                    memory,
                    cpu,
                    problems,
                    notes);
        }
    }

    private List<String> sections() {
        List<String> out = new ArrayList<>();
        if (handshakes != null) {
            out.add(handshakes.describe());
        }
        if (deliveries != null) {
            out.add(deliveries.describe());
        }
        if (tasks != null) {
            out.add(tasks.describe());
        }
        if (webhooks != null) {
            out.add(webhooks.describe());
        }
        if (churn != null) {
            out.add(churn.describe());
        }
        if (memory != null) {
            out.add(memory.describe());
        }
        if (cpu != null) {
            out.add(cpu.describe());
        }
        return out;
    }
}
