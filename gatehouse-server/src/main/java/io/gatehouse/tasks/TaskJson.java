package io.gatehouse.tasks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.protocol.WireCodec;
import io.gatehouse.store.TaskHistoryEntry;
import io.gatehouse.store.TaskRecord;
import java.util.List;

/**
 * The task object of docs/protocol.md ("Tasks"), the same in {@code task_progress} and in every
 * HTTP answer: {@code {id, owner, kind, title, status, done, total, message, result, data,
 * created_at, updated_at, finished_at}}; unknown values are null.
 */
public final class TaskJson {
    private final ObjectMapper json;

    public TaskJson(ObjectMapper json) {
        this.json = json;
    }

    public ObjectNode of(TaskRecord t) {
        ObjectNode n = json.createObjectNode();
        n.put("id", t.id());
        n.put("owner", t.owner());
        n.put("kind", t.kind());
        n.put("title", t.title());
        n.put("status", t.status().wireName());
        n.put("done", t.done());
        n.put("total", t.total());
        n.put("message", t.message());
        n.set("result", parsed(t.resultJson()));
        n.set("data", parsed(t.dataJson()));
        n.put("created_at", WireCodec.timestamp(t.createdAt()));
        n.put("updated_at", WireCodec.timestamp(t.updatedAt()));
        n.put("finished_at", WireCodec.timestamp(t.finishedAt()));
        return n;
    }

    /** {@link #of} with the status changes, oldest first, as {@code history: [{status, at, by, message}]}. */
    public ObjectNode withHistory(TaskRecord t, List<TaskHistoryEntry> history) {
        ObjectNode n = of(t);
        ArrayNode list = n.putArray("history");
        for (TaskHistoryEntry e : history) {
            list.addObject()
                    .put("status", e.status().wireName())
                    .put("at", WireCodec.timestamp(e.at()))
                    .put("by", e.actor())
                    .put("message", e.message());
        }
        return n;
    }

    private JsonNode parsed(String text) {
        if (text == null) {
            return json.nullNode();
        }
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored task holds JSON that does not parse", e);
        }
    }
}
