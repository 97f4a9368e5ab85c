package io.gatehouse.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.testing.TestGatehouse;

/** A worker of the tests: the server API's task calls with one publish key, each failing unless it answers as expected. */
final class TaskWorker {
    private final TestGatehouse server;
    private final String key;

    TaskWorker(TestGatehouse server) {
        this.server = server;
        this.key = server.apiKey("publish");
    }

    String authorization() {
        return "apikey " + key;
    }

    TestGatehouse.Reply post(String path, String body) {
        return server.post(path, body, "Authorization", authorization());
    }

    TestGatehouse.Reply get(String path) {
        return server.get(path, "Authorization", authorization());
    }

    /** Creates a task of {@code owner} with {@code total}; returns it. */
    JsonNode create(String owner, long total) {
        return expect(
                201,
                post(
                        "/api/v1/tasks",
                        "{\"owner\":\"" + owner + "\",\"kind\":\"import\",\"title\":\"Import\",\"total\":" + total
                                + "}"));
    }

    JsonNode progress(String id, long done) {
        return expect(200, post("/api/v1/tasks/" + id + "/progress", "{\"done\":" + done + "}"));
    }

    JsonNode finish(String id, String how, String body) {
        return expect(200, post("/api/v1/tasks/" + id + "/" + how, body));
    }

    static JsonNode expect(int status, TestGatehouse.Reply r) {
        if (r.status() != status) {
            throw new AssertionError("expected " + status + ", got " + r.status() + " " + r.body());
        }
        return r.body();
    }
}
