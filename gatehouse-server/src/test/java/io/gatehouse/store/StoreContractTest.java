package io.gatehouse.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The contract of the stores, run against every database Gatehouse supports. Each subclass
 * names the database ({@link TestDatabases}), which gives every test its own empty one.
 */
abstract class StoreContractTest {
    /** Has a non-zero microsecond part, so a lossy timestamp column would show. */
    static final Instant T0 = Instant.parse("2030-01-02T03:04:05.123456Z");

    static final String ARGON2_HASH =
            "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$" + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

    private Database db;
    private UserStore users;
    private TokenStore tokens;
    private ApiKeyStore keys;

    @RegisterExtension
    final TestDatabases databases;

    StoreContractTest(TestDatabases databases) {
        this.databases = databases;
    }

    @BeforeEach
    void openStores() {
        useDatabase(databases.open());
    }

    private void useDatabase(Database database) {
        db = database;
        users = new UserStore(db);
        tokens = new TokenStore(db);
        keys = new ApiKeyStore(db);
    }

    // --- Database

    @Test
    void openedDatabaseIsReachableAndClosedOneIsNot() {
        assertThat(db.isReachable()).isTrue();
        db.close();
        assertThat(db.isReachable()).isFalse();
    }

    @Test
    void dataSourceServesTheMigratedTables() throws Exception {
        users.add(user("alice"));
        try (Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM users")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(1);
        }
    }

    @Test
    void reopeningTheDatabaseKeepsItsDataAndMigratesNothingAgain() {
        users.add(user("alice"));
        db.close();
        useDatabase(databases.open());
        assertThat(users.find("alice")).isPresent();
    }

    @Test
    void storeCallsOnAClosedDatabaseFailWithAMessageNamingTheOperation() {
        db.close();
        assertThatThrownBy(() -> users.find("alice"))
                .isInstanceOf(StoreException.class)
                .hasMessage("Could not find user 'alice'");
        assertThatThrownBy(() -> tokens.revoke("ght_AbCdEfGh", T0))
                .isInstanceOf(StoreException.class)
                .hasMessage("Could not revoke token ght_AbCdEfGh");
    }

    // --- UserStore

    @Test
    void addedUserIsFoundWithAllItsFields() {
        UserRecord alice = new UserRecord("alice", List.of("admin", "ops"), ARGON2_HASH, T0);
        assertThat(users.add(alice)).isTrue();
        assertThat(users.find("alice")).contains(alice);
    }

    @Test
    void userWithoutRolesKeepsAnEmptyRoleList() {
        users.add(new UserRecord("bob", List.of(), ARGON2_HASH, T0));
        assertThat(users.find("bob")).get().extracting(UserRecord::roles).isEqualTo(List.of());
    }

    @Test
    void addingAnExistingUserIdReturnsFalseAndKeepsTheFirstUser() {
        UserRecord first = new UserRecord("alice", List.of("admin"), ARGON2_HASH, T0);
        users.add(first);
        assertThat(users.add(new UserRecord("alice", List.of("viewer"), ARGON2_HASH, T0.plusSeconds(1))))
                .isFalse();
        assertThat(users.find("alice")).contains(first);
        assertThat(users.count()).isEqualTo(1);
    }

    @Test
    void findingAnUnknownUserReturnsEmpty() {
        assertThat(users.find("nobody")).isEmpty();
    }

    @Test
    void listReturnsUsersOrderedById() {
        users.add(user("carol"));
        users.add(user("alice"));
        users.add(user("bob"));
        assertThat(users.list()).extracting(UserRecord::id).containsExactly("alice", "bob", "carol");
    }

    @Test
    void countFollowsAddsAndRemoves() {
        assertThat(users.count()).isZero();
        users.add(user("alice"));
        users.add(user("bob"));
        assertThat(users.count()).isEqualTo(2);
        users.remove("alice");
        assertThat(users.count()).isEqualTo(1);
    }

    @Test
    void revokingACredentialRevokesTheTokensMintedFromItTransitively() {
        tokens.insert(minted("ght_root0001", null));
        tokens.insert(minted("ght_child001", "ght_root0001"));
        tokens.insert(minted("ght_child002", "ghs_session1"));
        tokens.insert(minted("ght_grand001", "ght_child001"));
        tokens.insert(minted("ght_great001", "ght_grand001"));
        tokens.insert(minted("ght_other001", "ght_elsewhere"));
        assertThat(tokens.revoke("ght_grand001", T0)).isTrue(); // already revoked in the middle: still walked through

        List<String> revoked = tokens.revokeMintedFrom("ght_root0001", T0.plusSeconds(1));

        assertThat(revoked).containsExactlyInAnyOrder("ght_child001", "ght_great001");
        assertThat(tokens.findByPrefix("ght_great001").orElseThrow().revokedAt())
                .isEqualTo(T0.plusSeconds(1));
        assertThat(tokens.findByPrefix("ght_grand001").orElseThrow().revokedAt())
                .isEqualTo(T0);
        assertThat(tokens.findByPrefix("ght_root0001").orElseThrow().revokedAt())
                .isNull();
        assertThat(tokens.findByPrefix("ght_child002").orElseThrow().revokedAt())
                .isNull();
        assertThat(tokens.findByPrefix("ght_other001").orElseThrow().revokedAt())
                .isNull();
        assertThat(tokens.findByPrefix("ght_child001").orElseThrow().mintedFrom())
                .isEqualTo("ght_root0001");
        assertThat(tokens.revokeMintedFrom("ght_session_none", T0)).isEmpty();
    }

    @Test
    void aJournaledHoldIsReadBackAndListedUntilItEnds() {
        RevocationStore journal = new RevocationStore(db);
        journal.append(Revocation.Kind.CREDENTIAL, "ght_AbCdEfGh", T0); // an opaque token: no hold
        journal.append(Revocation.Kind.CREDENTIAL, "jwt-fingerprint", T0, T0.plusSeconds(60), List.of());

        assertThat(journal.after(0, 10))
                .extracting(Revocation::subject, Revocation::heldUntil)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("ght_AbCdEfGh", null),
                        org.assertj.core.groups.Tuple.tuple("jwt-fingerprint", T0.plusSeconds(60)));
        assertThat(journal.heldAt(T0.plusSeconds(59)))
                .extracting(Revocation::subject)
                .containsExactly("jwt-fingerprint");
        assertThat(journal.heldAt(T0.plusSeconds(60))).isEmpty();

        // A JWT whose exp is past any timestamp column is held for as long as one goes.
        journal.append(Revocation.Kind.CREDENTIAL, "far-fingerprint", T0, Instant.MAX, List.of());
        assertThat(journal.heldAt(T0.plusSeconds(60)))
                .extracting(Revocation::subject)
                .containsExactly("far-fingerprint");
    }

    @Test
    void revokeJournaledRevokesJournalsAndWritesTheEventsInOneTransactionOrNotAtAll() {
        tokens.insert(minted("ght_root0001", null)); // user "42"
        tokens.insert(minted("ght_child001", "ght_root0001"));
        WebhookStore outbox = new WebhookStore(db);
        RevocationStore journal = new RevocationStore(db);
        WebhookEvent taken = WebhookEvent.pending("evt_taken", "token.revoked", T0, "{}");
        outbox.insert(List.of(taken));
        long before = journal.newestId();

        // The child's event cannot be written (its id is taken): nothing at all is done.
        assertThatThrownBy(() -> tokens.revokeJournaled(
                        "ght_root0001", "42", T0, id -> List.of(id.equals("ght_child001") ? taken : event(id))))
                .isInstanceOf(StoreException.class);
        assertThat(tokens.findByPrefix("ght_root0001").orElseThrow().revokedAt())
                .isNull();
        assertThat(tokens.findByPrefix("ght_child001").orElseThrow().revokedAt())
                .isNull();
        assertThat(journal.newestId()).isEqualTo(before);
        assertThat(outbox.find("evt_ght_root0001")).isEmpty();

        // Another user's token: nothing.
        assertThat(tokens.revokeJournaled("ght_root0001", "43", T0, id -> List.of(event(id))))
                .isEmpty();
        // Called again, it completes: both revoked, journaled, with their events.
        assertThat(tokens.revokeJournaled("ght_root0001", "42", T0, id -> List.of(event(id))))
                .containsExactly("ght_root0001", "ght_child001");
        assertThat(tokens.findByPrefix("ght_child001").orElseThrow().revokedAt())
                .isEqualTo(T0);
        assertThat(journal.after(before, 10))
                .extracting(Revocation::subject)
                .containsExactly("ght_root0001", "ght_child001");
        assertThat(outbox.find("evt_ght_root0001")).isPresent();
        assertThat(outbox.find("evt_ght_child001")).isPresent();
        // Once revoked, again is nothing (any user).
        assertThat(tokens.revokeJournaled("ght_root0001", null, T0, id -> List.of(event(id))))
                .isEmpty();
    }

    private static WebhookEvent event(String credentialId) {
        return WebhookEvent.pending("evt_" + credentialId, "token.revoked", T0, "{}");
    }

    private static TokenRecord minted(String prefix, String mintedFrom) {
        return new TokenRecord(
                prefix,
                new byte[32],
                "42",
                "42",
                List.of(),
                List.of(),
                T0,
                T0.plus(Duration.ofDays(1)),
                null,
                null,
                mintedFrom);
    }

    @Test
    void removingAUserDeletesTheirTokensAndNoOneElses() {
        users.add(user("alice"));
        users.add(user("bob"));
        tokens.insert(token("ght_alice001", "local:alice", T0));
        tokens.insert(token("ght_alice002", "local:alice", T0.plusSeconds(1)));
        tokens.insert(token("ght_bob00001", "local:bob", T0));
        tokens.insert(token("ght_appalice", "alice", T0)); // the application's user alice, another identity

        assertThat(users.remove("alice")).isTrue();

        assertThat(users.find("alice")).isEmpty();
        assertThat(tokens.listForUser("local:alice")).isEmpty();
        assertThat(tokens.findByPrefix("ght_alice001")).isEmpty();
        assertThat(tokens.listForUser("local:bob"))
                .extracting(TokenRecord::prefix)
                .containsExactly("ght_bob00001");
        assertThat(tokens.listForUser("alice")).extracting(TokenRecord::prefix).containsExactly("ght_appalice");
    }

    @Test
    void removingAnUnknownUserReturnsFalseAndChangesNothing() {
        // Tokens may belong to users that live outside the users table.
        tokens.insert(token("ght_extern01", "external", T0));
        assertThat(users.remove("external")).isFalse();
        assertThat(tokens.findByPrefix("ght_extern01")).isPresent();
    }

    @Test
    void listValuesWithCommasAndQuotesRoundTrip() {
        TokenRecord t = new TokenRecord(
                "ght_dialog01",
                new byte[32],
                "alice",
                "Alice",
                List.of("Super \"Admin\""),
                List.of("dialog#alice,bob", "chat:x"),
                T0,
                T0.plus(Duration.ofHours(1)),
                null,
                null,
                null);
        tokens.insert(t);
        assertThat(tokens.findByPrefix("ght_dialog01")).contains(t);
    }

    // --- TokenStore

    @Test
    void insertedTokenIsFoundByPrefixWithAllItsFields() {
        TokenRecord t = new TokenRecord(
                "ght_AbCdEfGh",
                new byte[] {1, 2, 3, (byte) 0xff},
                "u-42",
                "Alice",
                List.of("admin"),
                List.of("chat:lobby", "news"),
                T0,
                T0.plus(Duration.ofHours(1)),
                null,
                null,
                null);
        tokens.insert(t);
        assertThat(tokens.findByPrefix("ght_AbCdEfGh")).contains(t);
    }

    @Test
    void tokenWithLastUseRevocationAndNoRolesOrChannelsRoundTrips() {
        TokenRecord t = new TokenRecord(
                "ght_AbCdEfGh",
                new byte[32],
                "u-42",
                "Alice",
                List.of(),
                List.of(),
                T0,
                T0.plusSeconds(60),
                T0.plusSeconds(10),
                T0.plusSeconds(20),
                null);
        tokens.insert(t);
        assertThat(tokens.findByPrefix("ght_AbCdEfGh")).contains(t);
    }

    @Test
    void instantsAreKeptToTheMicrosecond() {
        Instant withNanos = Instant.parse("2030-01-02T03:04:05.123456789Z");
        tokens.insert(token("ght_nanos001", "alice", withNanos));
        assertThat(tokens.findByPrefix("ght_nanos001").orElseThrow().createdAt())
                .isEqualTo(Instant.parse("2030-01-02T03:04:05.123456Z"));
    }

    @Test
    void findingAnUnknownTokenPrefixReturnsEmpty() {
        assertThat(tokens.findByPrefix("ght_unknown0")).isEmpty();
    }

    @Test
    void insertingATokenWithATakenPrefixFailsWithoutRevealingTheHash() {
        tokens.insert(token("ght_AbCdEfGh", "alice", T0));
        assertThatThrownBy(() -> tokens.insert(token("ght_AbCdEfGh", "bob", T0)))
                .isInstanceOf(StoreException.class)
                .hasMessage("Could not insert token ght_AbCdEfGh");
        assertThat(tokens.findByPrefix("ght_AbCdEfGh").orElseThrow().userId()).isEqualTo("alice");
    }

    @Test
    void listForUserReturnsOnlyThatUsersTokensNewestFirst() {
        tokens.insert(token("ght_old00001", "alice", T0));
        tokens.insert(token("ght_new00001", "alice", T0.plusSeconds(120)));
        tokens.insert(token("ght_mid00001", "alice", T0.plusSeconds(60)));
        tokens.insert(token("ght_bob00001", "bob", T0.plusSeconds(90)));
        assertThat(tokens.listForUser("alice"))
                .extracting(TokenRecord::prefix)
                .containsExactly("ght_new00001", "ght_mid00001", "ght_old00001");
        assertThat(tokens.listForUser("nobody")).isEmpty();
    }

    @Test
    void revokingATokenRecordsTheTimeAndASecondRevokeReturnsFalse() {
        tokens.insert(token("ght_AbCdEfGh", "alice", T0));
        assertThat(tokens.revoke("ght_AbCdEfGh", T0.plusSeconds(5))).isTrue();
        assertThat(tokens.revoke("ght_AbCdEfGh", T0.plusSeconds(9))).isFalse();
        assertThat(tokens.findByPrefix("ght_AbCdEfGh").orElseThrow().revokedAt())
                .isEqualTo(T0.plusSeconds(5));
    }

    @Test
    void revokingAnUnknownTokenReturnsFalse() {
        assertThat(tokens.revoke("ght_unknown0", T0)).isFalse();
    }

    @Test
    void revokeForUserLeavesAnotherUsersTokenAlone() {
        tokens.insert(token("ght_AbCdEfGh", "alice", T0));
        assertThat(tokens.revokeForUser("ght_AbCdEfGh", "mallory", T0.plusSeconds(1)))
                .isFalse();
        assertThat(tokens.findByPrefix("ght_AbCdEfGh").orElseThrow().revokedAt())
                .isNull();

        assertThat(tokens.revokeForUser("ght_AbCdEfGh", "alice", T0.plusSeconds(2)))
                .isTrue();
        assertThat(tokens.revokeForUser("ght_AbCdEfGh", "alice", T0.plusSeconds(3)))
                .isFalse();
        assertThat(tokens.findByPrefix("ght_AbCdEfGh").orElseThrow().revokedAt())
                .isEqualTo(T0.plusSeconds(2));
    }

    @Test
    void revokeForUserOfAnUnknownTokenReturnsFalse() {
        assertThat(tokens.revokeForUser("ght_unknown0", "alice", T0)).isFalse();
    }

    @Test
    void touchRecordsTheLastUseAndNeverMovesItBackwards() {
        tokens.insert(token("ght_AbCdEfGh", "alice", T0));
        tokens.touch("ght_AbCdEfGh", T0.plusSeconds(30));
        assertThat(tokens.findByPrefix("ght_AbCdEfGh").orElseThrow().lastUsedAt())
                .isEqualTo(T0.plusSeconds(30));

        tokens.touch("ght_AbCdEfGh", T0.plusSeconds(10));
        assertThat(tokens.findByPrefix("ght_AbCdEfGh").orElseThrow().lastUsedAt())
                .isEqualTo(T0.plusSeconds(30));

        tokens.touch("ght_AbCdEfGh", T0.plusSeconds(40));
        assertThat(tokens.findByPrefix("ght_AbCdEfGh").orElseThrow().lastUsedAt())
                .isEqualTo(T0.plusSeconds(40));
    }

    @Test
    void touchingAnUnknownTokenChangesNothing() {
        tokens.touch("ght_unknown0", T0);
        assertThat(tokens.findByPrefix("ght_unknown0")).isEmpty();
    }

    // --- ApiKeyStore

    @Test
    void insertedApiKeyIsFoundByPrefixWithAllItsFields() {
        ApiKeyRecord k = new ApiKeyRecord(
                "ghk_AbCdEfGh", new byte[] {9, 8, 7}, "deploy bot", List.of("publish", "admin:read"), T0, null);
        keys.insert(k);
        assertThat(keys.findByPrefix("ghk_AbCdEfGh")).contains(k);
    }

    @Test
    void findingAnUnknownApiKeyPrefixReturnsEmpty() {
        assertThat(keys.findByPrefix("ghk_unknown0")).isEmpty();
    }

    @Test
    void apiKeyListIsOldestFirstAndIncludesRevokedKeys() {
        keys.insert(apiKey("ghk_second01", T0.plusSeconds(10)));
        keys.insert(apiKey("ghk_first001", T0));
        keys.insert(apiKey("ghk_third001", T0.plusSeconds(20)));
        keys.revoke("ghk_second01", T0.plusSeconds(30));
        assertThat(keys.list())
                .extracting(ApiKeyRecord::prefix)
                .containsExactly("ghk_first001", "ghk_second01", "ghk_third001");
        assertThat(keys.list().get(1).revokedAt()).isEqualTo(T0.plusSeconds(30));
    }

    @Test
    void revokingAnApiKeyTwiceReturnsFalseTheSecondTime() {
        keys.insert(apiKey("ghk_AbCdEfGh", T0));
        assertThat(keys.revoke("ghk_AbCdEfGh", T0.plusSeconds(1))).isTrue();
        assertThat(keys.revoke("ghk_AbCdEfGh", T0.plusSeconds(2))).isFalse();
        assertThat(keys.findByPrefix("ghk_AbCdEfGh").orElseThrow().revokedAt()).isEqualTo(T0.plusSeconds(1));
    }

    @Test
    void revokingAnUnknownApiKeyReturnsFalse() {
        assertThat(keys.revoke("ghk_unknown0", T0)).isFalse();
    }

    @Test
    void insertingAnApiKeyWithATakenPrefixFails() {
        keys.insert(apiKey("ghk_AbCdEfGh", T0));
        assertThatThrownBy(() -> keys.insert(apiKey("ghk_AbCdEfGh", T0)))
                .isInstanceOf(StoreException.class)
                .hasMessage("Could not insert API key ghk_AbCdEfGh");
    }

    private static UserRecord user(String id) {
        return new UserRecord(id, List.of("viewer"), ARGON2_HASH, T0);
    }

    private static TokenRecord token(String prefix, String userId, Instant createdAt) {
        return new TokenRecord(
                prefix,
                new byte[32],
                userId,
                userId,
                List.of("viewer"),
                List.of("lobby"),
                createdAt,
                createdAt.plus(Duration.ofDays(1)),
                null,
                null,
                null);
    }

    private static ApiKeyRecord apiKey(String prefix, Instant createdAt) {
        return new ApiKeyRecord(prefix, new byte[32], "key " + prefix, List.of("publish"), createdAt, null);
    }
}
