package io.gatehouse.stats;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A node's Stats with the deployment's beside it (docs/protocol.md, "Live statistics"): {@code nodes},
 * the newest {node, now} of every live node, this one's included, and {@code total}, their
 * {@code now} added up. A pure function of JSON text, on the stats thread.
 */
final class DeploymentStats {
    /** Sample fields that do not add up across nodes. */
    private static final Set<String> NOT_SUMMED = Set.of("at", "uptime_ms");

    private DeploymentStats() {}

    /**
     * {@code full} (this node's Stats) with {@code nodes} and {@code total} from {@code nodeSamples}
     * ({node, now} each); a sample that cannot be read is left out.
     */
    static String with(ObjectMapper json, String full, List<String> nodeSamples) {
        try {
            ObjectNode stats = (ObjectNode) json.readTree(full);
            ArrayNode nodes = stats.putArray("nodes");
            ObjectNode total = json.createObjectNode();
            total.put("nodes", 0);
            for (String text : nodeSamples) {
                JsonNode sample;
                try {
                    sample = json.readTree(text);
                } catch (JsonProcessingException unreadable) {
                    continue; // written by another version, or cut: the others still count
                }
                if (!sample.path("now").isObject()) {
                    continue;
                }
                nodes.add(sample);
                total.put("nodes", total.path("nodes").asInt() + 1);
                add(total, sample.path("now"));
            }
            stats.set("total", total);
            return json.writeValueAsString(stats);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("this node's own Stats is not JSON", e);
        }
    }

    /** Adds the numbers of {@code now} into {@code total}, objects of numbers (upgrades_refused) by key. */
    private static void add(ObjectNode total, JsonNode now) {
        for (Iterator<Map.Entry<String, JsonNode>> it = now.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (NOT_SUMMED.contains(f.getKey())) {
                continue;
            }
            if (f.getValue().isNumber()) {
                total.put(
                        f.getKey(),
                        total.path(f.getKey()).asDouble() + f.getValue().asDouble());
            } else if (f.getValue().isObject()) {
                JsonNode existing = total.get(f.getKey());
                add(existing instanceof ObjectNode o ? o : total.putObject(f.getKey()), f.getValue());
            }
        }
    }
}
