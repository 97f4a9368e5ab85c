package io.gatehouse.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.auth.OpaqueTokenVerifier;
import io.gatehouse.auth.PasswordHasher;
import io.gatehouse.auth.SecretToken;
import io.gatehouse.auth.Sessions;
import io.gatehouse.auth.Verdict;
import io.gatehouse.config.GatehouseConfig;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The V4 migration (one id per identity source): a database written by the previous version keeps
 * working. Local users' opaque tokens and sessions authenticate as {@code local:NAME}; the
 * application's tokens keep their ids. On the embedded H2 and on PostgreSQL.
 */
class IdentityMigrationTest {
    static final Instant NOW = Instant.now();

    @Test
    void h2(@TempDir Path dir) throws Exception {
        String url = Database.embeddedUrl(dir);
        migrateToV3(url, "gatehouse", "");
        SecretToken[] written = writeV3Rows(url, "gatehouse", "");
        try (Database db = Database.open(url, "gatehouse", "", 2)) {
            assertUpgraded(db, written);
        }
    }

    @Test
    void postgres() throws Exception {
        PostgresTestSchema schema = new PostgresTestSchema();
        schema.create();
        try {
            String url = PostgresTestSchema.SERVER_URL + "?currentSchema=" + schema.name;
            migrateToV3(url, PostgresTestSchema.USER, "");
            SecretToken[] written = writeV3Rows(url, PostgresTestSchema.USER, "");
            try (Database db = schema.open()) {
                assertUpgraded(db, written);
            }
        } finally {
            schema.drop();
        }
    }

    private static void migrateToV3(String url, String user, String password) {
        Flyway.configure()
                .dataSource(url, user, password)
                .locations("classpath:db/migration")
                .target("3")
                .load()
                .migrate();
    }

    /** What the previous version wrote: local user alice with a token and a session, the application's bob with a token. */
    private static SecretToken[] writeV3Rows(String url, String user, String password) throws Exception {
        SecretToken aliceToken = SecretToken.generate(OpaqueTokenVerifier.KIND);
        SecretToken bobToken = SecretToken.generate(OpaqueTokenVerifier.KIND);
        SecretToken session = SecretToken.generate("ghs_");
        SecretToken csrf = SecretToken.generate("ghc_");
        try (Connection c = java.sql.DriverManager.getConnection(url, user, password)) {
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO users (id, roles, password_hash, created_at) VALUES (?, ?, ?, ?)")) {
                s.setString(1, "alice");
                s.setString(2, "[\"admin\"]");
                s.setString(3, new PasswordHasher().hash("alice-password".toCharArray()));
                Columns.setInstant(s, 4, NOW);
                s.executeUpdate();
            }
            for (Object[] t : new Object[][] {{aliceToken, "alice"}, {bobToken, "bob"}}) {
                SecretToken token = (SecretToken) t[0];
                try (PreparedStatement s =
                        c.prepareStatement("INSERT INTO tokens (prefix, hash, user_id, user_name, roles, channels, "
                                + "created_at, expires_at) VALUES (?, ?, ?, ?, '[]', '[]', ?, ?)")) {
                    s.setString(1, token.prefix());
                    s.setBytes(2, token.hash());
                    s.setString(3, (String) t[1]);
                    s.setString(4, (String) t[1]);
                    Columns.setInstant(s, 5, NOW);
                    Columns.setInstant(s, 6, NOW.plus(Duration.ofHours(1)));
                    s.executeUpdate();
                }
            }
            try (PreparedStatement s =
                    c.prepareStatement("INSERT INTO sessions (prefix, hash, user_id, csrf_hash, csrf_issued_at, "
                            + "created_at, expires_at) VALUES (?, ?, 'alice', ?, ?, ?, ?)")) {
                s.setString(1, session.prefix());
                s.setBytes(2, session.hash());
                s.setBytes(3, csrf.hash());
                Columns.setInstant(s, 4, NOW);
                Columns.setInstant(s, 5, NOW);
                Columns.setInstant(s, 6, NOW.plus(Duration.ofHours(1)));
                s.executeUpdate();
            }
        }
        return new SecretToken[] {aliceToken, bobToken, session, csrf};
    }

    private static void assertUpgraded(Database db, SecretToken[] written) {
        TokenStore tokens = new TokenStore(db);
        OpaqueTokenVerifier opaque = new OpaqueTokenVerifier(tokens, Runnable::run, Clock.systemUTC());
        Verdict alice = opaque.verify(written[0].value()).toCompletableFuture().join();
        assertThat(alice.principal().user().id()).isEqualTo("local:alice");
        Verdict bob = opaque.verify(written[1].value()).toCompletableFuture().join();
        assertThat(bob.principal().user().id()).isEqualTo("bob"); // the application's: unchanged
        assertThat(tokens.findByPrefix(written[0].prefix()).orElseThrow().mintedFrom())
                .isNull();

        Verdict session;
        try (var hashing = new io.gatehouse.auth.PasswordHashingPool(1, 1)) {
            Sessions sessions = new Sessions(
                    new SessionStore(db),
                    new UserStore(db),
                    new RevocationStore(db),
                    tokens,
                    new PasswordHasher(),
                    hashing,
                    new GatehouseConfig.Session(Duration.ofHours(24), Duration.ofMinutes(30), true),
                    Clock.systemUTC());
            session = sessions.verify(written[2].value(), written[3].value(), Sessions.CsrfRule.FRESH);
        }
        assertThat(session.isAccepted()).as(String.valueOf(session.refusal())).isTrue();
        assertThat(session.principal().user().id()).isEqualTo("local:alice");

        assertThat(new UserStore(db).remove("alice")).isTrue(); // and removing alice still takes her token
        assertThat(tokens.findByPrefix(written[0].prefix())).isEmpty();
        assertThat(tokens.findByPrefix(written[1].prefix())).isPresent();
        assertThat(List.of(written)).hasSize(4);
    }
}
