package io.gatehouse.auth;

import io.gatehouse.protocol.Refusal;
import io.gatehouse.protocol.RefusalCode;

/**
 * The rule for ids that reach log lines (a JWT's {@code sub}, the id an introspection backend
 * answers, ids in API paths): no control characters (C0, DEL, C1) and no Unicode line or paragraph
 * separators, so that an id can never start a forged log line. Credentials carrying such an id are
 * refused; ids from paths are escaped before they are logged.
 */
public final class PrintableId {
    private static final int MAX_LOGGED_CHARS = 200;

    private PrintableId() {}

    public static boolean isPrintable(String id) {
        return id.chars().noneMatch(PrintableId::breaksLines);
    }

    /** Null when {@code id} is printable; otherwise TOKEN_INVALID naming {@code field}. */
    public static Refusal refusal(String id, String field) {
        return isPrintable(id)
                ? null
                : RefusalCode.TOKEN_INVALID.refusal("The user id (" + field
                        + ") contains a control character or line separator; such ids are refused");
    }

    /** {@code id} fit for a log line: each control character or line separator as {@code \\uXXXX}, cut to 200 characters. */
    public static String escape(String id) {
        if (id == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(Math.min(id.length(), MAX_LOGGED_CHARS) + 8);
        for (int i = 0; i < id.length() && out.length() < MAX_LOGGED_CHARS; i++) {
            char c = id.charAt(i);
            if (breaksLines(c) || c == '\\') {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return id.length() > MAX_LOGGED_CHARS ? out + "..." : out.toString();
    }

    private static boolean breaksLines(int c) {
        return Character.isISOControl(c) || c == '\u2028' || c == '\u2029';
    }
}
