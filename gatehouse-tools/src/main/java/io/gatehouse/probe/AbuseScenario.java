package io.gatehouse.probe;

/**
 * The opt-in abuse scenarios ({@code --abuse}): what one misbehaving client can make a server hold.
 * Each is bounded in time and bytes ({@link AbuseLimits}) and stops by itself.
 */
public enum AbuseScenario implements Check {
    /** Judged from the {@link Scenario#TOKEN_IN_QUERY} row: no connection of its own. */
    QUERY_TOKEN("token in the query string", "not accepted", Category.AUTH),
    PING_FLOOD("ping flood, pongs unread", "cut, or stop reading", Category.ABUSE),
    OVERSIZED_MESSAGE("1 MiB message after auth", "close 1009", Category.ABUSE),
    SUBSCRIPTIONS("1,000 subscriptions", "capped", Category.ABUSE),
    REFUSED_CREDENTIALS("50 refused credentials", "429 or close 4429", Category.ABUSE),
    SILENT_CONNECTION("silent TCP connection", "closed within 30 s", Category.TRANSPORT),
    HALF_SENT_HEADER("half-sent HTTP header", "closed within 30 s", Category.TRANSPORT);

    private final String label;
    private final String expected;
    private final Category category;

    AbuseScenario(String label, String expected, Category category) {
        this.label = label;
        this.expected = expected;
        this.category = category;
    }

    @Override
    public String label() {
        return label;
    }

    @Override
    public String expected() {
        return expected;
    }

    @Override
    public Category category() {
        return category;
    }
}
