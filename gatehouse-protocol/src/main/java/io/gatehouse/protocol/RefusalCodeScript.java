package io.gatehouse.protocol;

import java.util.Locale;

/**
 * The refusal table of SPEC §3 as an ES module for the browser client ({@code
 * clients/js/refusal-codes.js}, served as {@code /client/refusal-codes.js}): each code's close code,
 * HTTP status, client action and default hint, written from {@link RefusalCode} so that the browser
 * client cannot decide a close differently from the server's table. The server serves what this
 * writes; a test keeps the repository's copy equal to it.
 */
public final class RefusalCodeScript {
    private RefusalCodeScript() {}

    /** The module's text. */
    public static String render() {
        StringBuilder js = new StringBuilder();
        js.append("// Generated from io.gatehouse.protocol.RefusalCode by RefusalCodeScript: do not edit.\n")
                .append("// mvn test -pl gatehouse-protocol -Dgatehouse.write-client-table=true rewrites it.\n\n")
                .append("/** @typedef {'retry' | 'refresh_then_retry' | 'log_in' | 'stop'} ClientAction */\n")
                .append(
                        "/** @typedef {{close: number, http: number, action: ClientAction, hint: string}} RefusalEntry */\n\n")
                .append("/** Every refusal code of the server, by name (SPEC §3). */\n")
                .append("/** @type {Readonly<Record<string, Readonly<RefusalEntry>>>} */\n")
                .append("export const REFUSAL_CODES = Object.freeze({\n");
        for (RefusalCode code : RefusalCode.values()) {
            js.append("  ")
                    .append(code.name())
                    .append(": Object.freeze({ close: ")
                    .append(code.closeCode())
                    .append(", http: ")
                    .append(code.httpStatus())
                    .append(", action: '")
                    .append(code.clientAction().name().toLowerCase(Locale.ROOT))
                    .append("', hint: ")
                    .append(quote(code.defaultHint()))
                    .append(" }),\n");
        }
        return js.append("});\n").toString();
    }

    /** A JavaScript string literal in single quotes. */
    private static String quote(String s) {
        StringBuilder out = new StringBuilder("'");
        for (char c : s.toCharArray()) {
            if (c == '\'' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || c > 0x7e) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('\'').toString();
    }
}
