package io.gatehouse.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.function.IntFunction;
import java.util.regex.Pattern;

/**
 * The calls around a tasks run that are not measured: creating its tasks ({@code POST
 * /api/v1/tasks}) before it and completing them ({@code POST /api/v1/tasks/{id}/complete}) after
 * it, so that a later run's owners get no catch-up of them. {@value #PARALLEL} calls at a time,
 * over the JDK's HTTP/1.1 client.
 */
final class TaskApi {
    static final String TASKS_PATH = "/api/v1/tasks";
    static final int PARALLEL = 16;
    static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** A task id as the server makes it ({@code tsk_} and base64url), so that it can go into a path as it is. */
    private static final Pattern TASK_ID = Pattern.compile("[A-Za-z0-9_-]{1,100}");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final BenchTarget target;
    private final String authorization;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT)
            .build();

    TaskApi(BenchTarget target, String apiKey) {
        this.target = target;
        this.authorization = "apikey " + apiKey;
    }

    static String progressPath(String id) {
        return TASKS_PATH + "/" + id + "/progress";
    }

    /**
     * Creates {@code count} running tasks, task {@code t} owned by {@code owner.apply(t)}; returns
     * their ids in that order.
     *
     * @throws IOException naming the first call that was not answered 201 with a task
     */
    List<String> create(int count, IntFunction<String> owner) throws IOException, InterruptedException {
        List<CompletableFuture<HttpResponse<String>>> calls = calls(
                count,
                t -> post(
                        TASKS_PATH,
                        "{\"owner\":" + JSON.valueToTree(owner.apply(t)) + ",\"kind\":\"bench\",\"title\":\"bench task "
                                + t + "\"}"));
        List<String> ids = new ArrayList<>(count);
        for (CompletableFuture<HttpResponse<String>> call : calls) {
            HttpResponse<String> r = answer(call, "creating a task");
            JsonNode id = r.statusCode() == 201 ? JSON.readTree(r.body()).path("id") : null;
            if (id == null || !TASK_ID.matcher(id.asText()).matches()) {
                throw new IOException(
                        "POST " + TASKS_PATH + " answered " + r.statusCode() + " " + abbreviate(r.body()));
            }
            ids.add(id.asText());
        }
        return ids;
    }

    /** Completes the tasks; returns how many calls were not answered 200. */
    int complete(List<String> ids) throws InterruptedException {
        int failed = 0;
        for (CompletableFuture<HttpResponse<String>> call :
                calls(ids.size(), t -> post(TASKS_PATH + "/" + ids.get(t) + "/complete", "{}"))) {
            try {
                failed += answer(call, "completing a task").statusCode() == 200 ? 0 : 1;
            } catch (IOException e) {
                failed++;
            }
        }
        return failed;
    }

    /** The calls {@code 0 .. count-1}, at most {@value #PARALLEL} in flight. */
    private List<CompletableFuture<HttpResponse<String>>> calls(int count, IntFunction<HttpRequest> request)
            throws InterruptedException {
        Semaphore slots = new Semaphore(PARALLEL);
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>(count);
        for (int t = 0; t < count; t++) {
            slots.acquire();
            calls.add(http.sendAsync(request.apply(t), HttpResponse.BodyHandlers.ofString())
                    .whenComplete((r, e) -> slots.release()));
        }
        return calls;
    }

    private HttpRequest post(String path, String body) {
        return HttpRequest.newBuilder(URI.create(target.url() + path))
                .timeout(TIMEOUT)
                .header("Authorization", authorization)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    private static HttpResponse<String> answer(CompletableFuture<HttpResponse<String>> call, String what)
            throws IOException, InterruptedException {
        try {
            return call.get();
        } catch (ExecutionException e) {
            throw new IOException(what + ": " + e.getCause(), e.getCause());
        }
    }

    private static String abbreviate(String body) {
        return body.length() <= 200 ? body : body.substring(0, 200) + "...";
    }
}
