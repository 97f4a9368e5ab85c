package io.gatehouse.probe;

import java.util.Locale;

/**
 * One row of the probe's report: what it checks, what a safe server does, and the part of the
 * server it concerns. The upgrade matrix ({@link Scenario}) and the opt-in abuse scenarios
 * ({@link AbuseScenario}) are both checks.
 */
public interface Check {
    /** The constant's name, e.g. {@code NO_CREDENTIAL}: both kinds of check are enums. */
    String name();

    /** The row's id in the JSON, e.g. {@code no_credential}, {@code ping_flood}. */
    default String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The row's name in the table. */
    String label();

    /** What a safe server does, for the table. */
    String expected();

    Category category();
}
