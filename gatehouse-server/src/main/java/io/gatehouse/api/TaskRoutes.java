package io.gatehouse.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.accesslog.AdminAction;
import io.gatehouse.auth.ApiScope;
import io.gatehouse.auth.Principal;
import io.gatehouse.auth.PrintableId;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.store.StoreException;
import io.gatehouse.store.TaskRecord;
import io.gatehouse.store.TaskStatus;
import io.gatehouse.store.TaskStore;
import io.gatehouse.tasks.CancelAnswer;
import io.gatehouse.tasks.TaskIds;
import io.gatehouse.tasks.Tasks;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The task endpoints (docs/protocol.md, "Tasks"). Workers (the server API, an API key with the
 * {@code publish} scope) create tasks and report on them; users (cookie session or token) list
 * their own and cancel them. {@code GET /api/v1/tasks} and {@code GET /api/v1/tasks/{id}} serve
 * both: a request with {@code Authorization: apikey ...} is the server API's, any other the user's;
 * {@code GET /api/v1/tasks?all=true} from an admin (cookie session or token) lists every owner's tasks,
 * and an admin may cancel any of them.
 *
 * @param blocking where the database is read and written
 */
public record TaskRoutes(AdminCheck admins, UserCredentialCheck users, Tasks tasks, Executor blocking) {
    private static final Logger LOG = LoggerFactory.getLogger(TaskRoutes.class);
    private static final String TASK = "/api/v1/tasks/{id}";

    public void register(HttpApi api) {
        api.route("POST", "/api/v1/tasks", (req, path) -> worker(req, key -> create(req, key)));
        api.route("POST", TASK + "/progress", (req, path) -> worker(req, key -> progress(req, path.get("id"))));
        api.route(
                "POST",
                TASK + "/complete",
                (req, path) -> worker(req, key -> finish(path.get("id"), TaskStatus.COMPLETED, req, key)));
        api.route(
                "POST",
                TASK + "/fail",
                (req, path) -> worker(req, key -> finish(path.get("id"), TaskStatus.FAILED, req, key)));
        api.route(
                "POST",
                TASK + "/cancelled",
                (req, path) -> worker(req, key -> finish(path.get("id"), TaskStatus.CANCELLED, req, key)));
        api.route(
                "POST",
                TASK + "/cancel",
                (req, path) -> users.ifAuthenticated(req, p -> cancel(req, p, path.get("id"))));
        api.route(
                "GET",
                "/api/v1/tasks",
                (req, path) -> isApiKey(req)
                        ? worker(req, key -> list(req, null))
                        : users.ifAuthenticated(
                                req,
                                p -> guarded(() -> allOwners(req)
                                        ? (p.user().isAdmin()
                                                ? list(req, null)
                                                : ApiResponse.refusal(RefusalCode.PERMISSION_DENIED.refusal(
                                                        "Every owner's tasks (all=true) are for admins")))
                                        : list(req, p.user().id()))));
        api.route(
                "GET",
                TASK,
                (req, path) -> isApiKey(req)
                        ? worker(req, key -> one(tasks.find(path.get("id")), path.get("id")))
                        : users.ifAuthenticated(
                                req, p -> guarded(() -> one(tasks.findFor(path.get("id"), p.user()), path.get("id")))));
    }

    /** Whether the request carries an API key ({@code Authorization: apikey ...}) rather than a user credential. */
    static boolean isApiKey(ApiRequest req) {
        String authorization = req.header("Authorization");
        return authorization != null && authorization.toLowerCase(Locale.ROOT).startsWith("apikey ");
    }

    /**
     * {@code ?all=true}: the server API's listing (every owner, the {@code owner} filter) for an
     * admin (cookie session or token); absent or false: the user's own tasks.
     */
    static boolean allOwners(ApiRequest req) {
        String all = req.queryParameter("all");
        if (all == null || all.isEmpty() || all.equals("false")) {
            return false;
        }
        if (all.equals("true")) {
            return true;
        }
        throw RequestBody.bad("all must be true (every owner's tasks, for admins) or false");
    }

    /** {@code action} on the blocking pool with the key's name, once the key has the publish scope. */
    private CompletionStage<ApiResponse> worker(ApiRequest req, Function<String, ApiResponse> action) {
        return admins.keys()
                .ifAllowed(
                        req,
                        ApiScope.PUBLISH,
                        key -> CompletableFuture.supplyAsync(() -> guarded(() -> action.apply(key)), blocking));
    }

    /** A database failure is BACKEND_UNAVAILABLE (503), not an internal error. */
    private static ApiResponse guarded(Supplier<ApiResponse> action) {
        try {
            return action.get();
        } catch (StoreException e) {
            LOG.warn(
                    "A task request failed: {}", PrintableId.escape(e.getMessage())); // it may name an id from the path
            throw RefusalCode.BACKEND_UNAVAILABLE
                    .refusal("The database is unavailable; retry later")
                    .asException();
        }
    }

    private ApiResponse create(ApiRequest req, String key) {
        ObjectNode body = RequestBody.object(req, tasks.codec().json());
        String owner = TaskInput.text(body, "owner", TaskInput.MAX_OWNER_CHARS);
        String kind = TaskInput.text(body, "kind", TaskInput.MAX_KIND_CHARS);
        String title = TaskInput.text(body, "title", TaskInput.MAX_TITLE_CHARS);
        Long total = TaskInput.optionalCount(body, "total");
        String data = TaskInput.optionalJson(body, "data");
        TaskRecord t = tasks.create(owner, kind, title, total, data, "apikey:" + key);
        return ApiResponse.json(201, tasks.json().of(t));
    }

    private ApiResponse progress(ApiRequest req, String id) {
        ObjectNode body = RequestBody.object(req, tasks.codec().json());
        Long done = TaskInput.optionalCount(body, "done");
        if (done == null) {
            throw RequestBody.bad("The body needs done (a whole number, 0 or more)");
        }
        Long total = TaskInput.optionalCount(body, "total");
        String message = TaskInput.optionalText(body, "message", TaskInput.MAX_MESSAGE_CHARS);
        return tasks.progress(id, done, total, message)
                .map(p -> ApiResponse.ok(tasks.json().of(p.task()).put("cancel_requested", p.cancelRequested())))
                .orElseGet(() -> notFound(id));
    }

    private ApiResponse finish(String id, TaskStatus to, ApiRequest req, String key) {
        ObjectNode body = RequestBody.object(req, tasks.codec().json());
        String message = null;
        String result = null;
        if (to == TaskStatus.FAILED) {
            message = TaskInput.text(body, "message", TaskInput.MAX_MESSAGE_CHARS);
        } else {
            message = TaskInput.optionalText(body, "message", TaskInput.MAX_MESSAGE_CHARS);
        }
        if (to == TaskStatus.COMPLETED) {
            result = TaskInput.optionalJson(body, "result");
        }
        return answer(tasks.finish(id, to, message, result, "apikey:" + key), id);
    }

    /**
     * The owner's cancel, or an admin's of any task. An admin's cancel that changed another user's
     * running task is an admin action (docs/protocol.md, "Admin API"): a server-log line and an
     * access-log row name the admin; a cancel that found the task as it was (asked already, or
     * finished) is none, and neither is the owner's own cancel, as no user's own action is.
     */
    private ApiResponse cancel(ApiRequest req, Principal p, String id) {
        return guarded(() -> {
            Optional<CancelAnswer> a = tasks.requestCancel(id, p.user());
            if (a.isPresent()
                    && a.get().requested()
                    && p.user().isAdmin()
                    && !a.get().task().owner().equals(p.user().id())) {
                TaskRecord t = a.get().task();
                Operator who = Operator.admin(p, users.credentialOf(req), req, admins.accessLog());
                LOG.info(
                        "cancel of task {} of user {} requested by {}",
                        PrintableId.escape(t.id()),
                        PrintableId.escape(t.owner()),
                        who);
                who.performed(AdminAction.TASK_CANCEL, t.id());
            }
            return answer(a.map(CancelAnswer::task), id);
        });
    }

    private ApiResponse list(ApiRequest req, String owner) {
        TaskStore.Query q = TaskInput.query(req, owner != null ? owner : TaskInput.parameter(req, "owner"));
        List<TaskRecord> page = tasks.list(q);
        ObjectNode out = tasks.codec().json().createObjectNode();
        ArrayNode list = out.putArray("tasks");
        page.forEach(t -> list.add(tasks.json().of(t)));
        TaskRecord last = page.size() == q.limit() ? page.get(page.size() - 1) : null;
        out.put("next_cursor", last == null ? null : TaskInput.cursor(last.createdAt(), last.id()));
        return ApiResponse.ok(out);
    }

    private ApiResponse one(Optional<TaskRecord> found, String id) {
        return found.map(t ->
                        ApiResponse.ok(tasks.json().withHistory(t, tasks.store().history(t.id()))))
                .orElseGet(() -> notFound(id));
    }

    private ApiResponse answer(Optional<TaskRecord> t, String id) {
        return t.map(found -> ApiResponse.ok(tasks.json().of(found))).orElseGet(() -> notFound(id));
    }

    private static ApiResponse notFound(String id) {
        return ApiResponse.refusal(RefusalCode.NOT_FOUND.refusal(TaskIds.notFound(id)));
    }
}
