package io.gatehouse.probe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.tools.GatehouseTools;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** One {@code gatehouse probe ...} run in-process: exit status and what it printed. */
record ProbeRun(int exit, String out, String err) {
    private static final ObjectMapper JSON = new ObjectMapper();

    static ProbeRun probe(String... args) {
        List<String> all = new ArrayList<>(List.of("probe"));
        all.addAll(List.of(args));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit =
                GatehouseTools.run(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
        return new ProbeRun(exit, out.toString(), err.toString());
    }

    /** The {@code --json} output. */
    JsonNode json() {
        try {
            return JSON.readTree(out);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + out + err, e);
        }
    }

    /** The JSON row of a scenario, e.g. {@code row(Scenario.NO_CREDENTIAL)}. */
    JsonNode row(Scenario scenario) {
        for (JsonNode row : json().path("scenarios")) {
            if (row.path("id").asText().equals(scenario.name().toLowerCase(java.util.Locale.ROOT))) {
                return row;
            }
        }
        throw new AssertionError("no row for " + scenario + " in " + out);
    }

    String verdict(Scenario scenario) {
        return row(scenario).path("verdict").asText();
    }

    @Override
    public String toString() {
        return "exit " + exit + "\n" + out + err;
    }
}
