package io.gatehouse.probe;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The probe's results: as a plain-text table (written row by row while the probe runs, so the
 * columns have fixed widths), as JSON, and as the exit status: 0 when every scenario that ran
 * behaved safely, 1 when any was {@link Verdict.Kind#UNSAFE} or {@link Verdict.Kind#UNREADABLE}.
 */
public final class ProbeReport {
    public static final int EXIT_SAFE = 0;
    public static final int EXIT_NOT_SAFE = 1;
    static final int OBSERVED_WIDTH = 50;
    private static final List<Check> ALL_CHECKS = Stream.concat(
                    Arrays.stream(Scenario.values()), Arrays.stream(AbuseScenario.values()))
            .collect(Collectors.toUnmodifiableList());
    private static final int SCENARIO_WIDTH =
            ALL_CHECKS.stream().mapToInt(c -> c.label().length()).max().orElse(0);
    private static final int EXPECTED_WIDTH =
            ALL_CHECKS.stream().mapToInt(c -> c.expected().length()).max().orElse(0);
    private static final String ROW =
            "%-" + SCENARIO_WIDTH + "s  %-" + EXPECTED_WIDTH + "s  %-" + OBSERVED_WIDTH + "s  %s";
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String INSECURE_WARNING = "--insecure: the server's certificate and host name were not checked;"
            + " whoever answered may not be the server";

    private final URI url;
    private final List<ScenarioResult> results;

    public ProbeReport(URI url, List<ScenarioResult> results) {
        this.url = url;
        this.results = List.copyOf(results);
    }

    public List<ScenarioResult> results() {
        return results;
    }

    public int exitStatus() {
        return results.stream().anyMatch(r -> r.verdict().fails()) ? EXIT_NOT_SAFE : EXIT_SAFE;
    }

    /** The table's heading line. */
    public static String tableHeader() {
        return String.format(ROW, "scenario", "a safe server", "this server", "verdict")
                .stripTrailing();
    }

    /** A result's line, and under a failing one, why and what to change. */
    public static List<String> tableRow(ScenarioResult r) {
        String observed = r.observed();
        if (observed.length() > OBSERVED_WIDTH) {
            observed = observed.substring(0, OBSERVED_WIDTH - 3) + "...";
        }
        List<String> lines = new ArrayList<>();
        lines.add(String.format(
                ROW,
                r.check().label(),
                r.check().expected(),
                observed,
                r.verdict().kind()));
        if (r.verdict().fails() || r.verdict().kind() == Verdict.Kind.WARN) {
            lines.add("    -> " + r.verdict().why());
        } else if (r.verdict().kind() == Verdict.Kind.NOT_SUPPORTED) {
            lines.add("    note: " + r.verdict().why());
        }
        return lines;
    }

    /** The whole table with its summary, as {@code gatehouse probe} prints it. */
    public String table() {
        List<String> lines = new ArrayList<>();
        lines.add(tableHeader());
        results.forEach(r -> lines.addAll(tableRow(r)));
        lines.add("");
        lines.addAll(summary());
        return String.join(System.lineSeparator(), lines) + System.lineSeparator();
    }

    /** The counts, the conclusion, and a note when nothing valid was accepted. */
    public List<String> summary() {
        Map<Verdict.Kind, Integer> counts = counts();
        List<String> lines = new ArrayList<>();
        lines.add(String.format(
                "%d scenarios: %d safe, %d unsafe, %d unreadable, %d warn, %d not supported, %d skipped",
                results.size(),
                counts.get(Verdict.Kind.SAFE),
                counts.get(Verdict.Kind.UNSAFE),
                counts.get(Verdict.Kind.UNREADABLE),
                counts.get(Verdict.Kind.WARN),
                counts.get(Verdict.Kind.NOT_SUPPORTED),
                counts.get(Verdict.Kind.SKIPPED)));
        if (exitStatus() == EXIT_SAFE) {
            int warn = counts.get(Verdict.Kind.WARN);
            lines.add("every scenario that ran behaved safely"
                    + (warn == 0 ? "" : "; " + (warn == 1 ? "1 WARN says" : warn + " WARNs say") + " what to revisit"));
        } else {
            List<String> problems = new ArrayList<>();
            long accepted = unsafe(false);
            if (accepted > 0) {
                problems.add("accepted " + attempts(accepted) + " a safe server refuses");
            }
            long unbounded = unsafe(true);
            if (unbounded > 0) {
                problems.add("let " + (unbounded == 1 ? "1 abusive client" : unbounded + " abusive clients")
                        + " take what a safe server bounds");
            }
            if (counts.get(Verdict.Kind.UNREADABLE) > 0) {
                problems.add("refused " + attempts(counts.get(Verdict.Kind.UNREADABLE))
                        + " in a way the client cannot read");
            }
            lines.add("NOT SAFE: this server " + String.join(", and ", problems));
        }
        if (!acceptedAny()) {
            lines.add(
                    "note: no valid credential was accepted, so these refusals cannot be told from a server that refuses"
                            + " everything; give --token (or --secret), or --cookie with --csrf");
        }
        return lines;
    }

    /** {@code {"url", "scenarios": [{"scenario", "expected", "observed", "verdict", "why", ...}], "summary", "exit_status"}}. */
    public String json() {
        return json(true);
    }

    /**
     * As {@link #json()}; with {@code tlsVerified} false ({@code --insecure}) the root and every row
     * say {@code "tls_verified": false}, and the root has a {@code warning}.
     */
    public String json(boolean tlsVerified) {
        ObjectNode root = JSON.createObjectNode();
        root.put("url", url.toString());
        if (!tlsVerified) {
            root.put("tls_verified", false);
            root.put("warning", INSECURE_WARNING);
        }
        ArrayNode rows = root.putArray("scenarios");
        for (ScenarioResult r : results) {
            ObjectNode row = rows.addObject();
            if (!tlsVerified) {
                row.put("tls_verified", false);
            }
            row.put("scenario", r.check().label());
            row.put("id", r.check().id());
            row.put("category", r.check().category().jsonName());
            row.put("expected", r.check().expected());
            if (r.outcome() == null) {
                row.putNull("observed");
            } else {
                row.put("observed", r.outcome().describe());
                r.outcome().facts().forEach((name, value) -> row.set(name, JSON.valueToTree(value)));
            }
            row.put("verdict", r.verdict().kind().name());
            row.put("why", r.verdict().why());
        }
        ObjectNode summary = root.putObject("summary");
        counts().forEach((kind, n) -> summary.put(kind.name().toLowerCase(Locale.ROOT), n));
        root.put("exit_status", exitStatus());
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + System.lineSeparator();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings and numbers always serialises", e);
        }
    }

    /** UNSAFE rows about abuse and transport ({@code bounds}), or about credentials and origins. */
    private long unsafe(boolean bounds) {
        return results.stream()
                .filter(r -> r.verdict().kind() == Verdict.Kind.UNSAFE)
                .filter(r ->
                        (r.check().category() == Category.ABUSE || r.check().category() == Category.TRANSPORT)
                                == bounds)
                .count();
    }

    private static String attempts(long n) {
        return n == 1 ? "1 attempt" : n + " attempts";
    }

    private Map<Verdict.Kind, Integer> counts() {
        Map<Verdict.Kind, Integer> counts = new EnumMap<>(Verdict.Kind.class);
        for (Verdict.Kind k : Verdict.Kind.values()) {
            counts.put(k, 0);
        }
        results.forEach(r -> counts.merge(r.verdict().kind(), 1, Integer::sum));
        return counts;
    }

    /** Whether some scenario that should be accepted was: the refusals then mean something. */
    private boolean acceptedAny() {
        return results.stream()
                .anyMatch(r -> r.check() instanceof Scenario s
                        && s.rule() == Rule.SHOULD_ACCEPT
                        && r.outcome() instanceof Outcome.StillOpen);
    }
}
