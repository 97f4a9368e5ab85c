package io.gatehouse.tasks;

import io.gatehouse.auth.PrintableId;
import java.security.SecureRandom;
import java.util.Base64;

/** Task ids: random and unguessable, so that an id says nothing about other tasks. */
public final class TaskIds {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int MAX_ID_IN_HINT = 64;

    private TaskIds() {}

    /** {@code tsk_} and 16 random bytes in base64url. */
    public static String newId() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return "tsk_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The hint of a NOT_FOUND answer: the same whether the task is missing or another user's. */
    public static String notFound(String id) {
        String shown = id.length() > MAX_ID_IN_HINT ? id.substring(0, MAX_ID_IN_HINT) + "..." : id;
        return "No task " + PrintableId.escape(shown) + " (or not yours)";
    }
}
