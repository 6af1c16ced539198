package io.jeex.db;

import static io.jeex.db.codegen.Tables.USERS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jeex.db.error.DatabaseTimeoutException;
import io.jeex.db.error.UncategorizedDatabaseException;
import io.jeex.db.repository.Repositories;
import io.jeex.db.repository.User;
import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.testkit.junit.JeexDbTest;
import io.jeex.db.tx.IsolationLevel;
import io.jeex.db.tx.TxOptions;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@JeexDbTest
class SingleStatementTest {

    private static final TxOptions ONE = TxOptions.named("one").withSingleStatement(true);

    @Test
    void aSingleStatementRunsAutoCommittedWithThePoolsStatementTimeout(TestDatabase testDb) {
        try (JeexDatabase db = JeexDatabase.create(TestConfigs.forDatabase(testDb).poolSize(1)
                .pool(p -> p.withMaxOverflow(0)).build())) {
            assertThat(ONE.autoCommits()).isTrue();
            // no transaction block: the statement is its own transaction, and the server-side
            // default timeout holds without any SET
            var row = db.transaction(ONE, tx -> tx.dsl().fetchOne(
                    "select current_setting('statement_timeout'), pg_current_xact_id_if_assigned() is null"));
            assertThat(row.get(0, String.class)).isEqualTo("30s");
            // a write outside any user (row-level security would refuse it on the pool): system mode,
            // auto-committed on its own connection as well
            UUID id = db.transaction(ONE.asSystem(), tx -> tx.dsl().insertInto(USERS)
                    .set(USERS.EMAIL, "one@example.com").set(USERS.NAME, "One").returning(USERS.ID).fetchOne(USERS.ID));
            assertThat(testDb.dsl().fetchCount(USERS, USERS.ID.eq(id))).isOne();
        }
    }

    @Test
    void aSecondStatementInSingleStatementWorkIsRefused(TestDatabase testDb) {
        try (JeexDatabase db = JeexDatabase.create(TestConfigs.forDatabase(testDb).build())) {
            assertThatThrownBy(() -> db.transaction(ONE, tx -> {
                tx.dsl().fetchValue("select 1");
                return tx.dsl().fetchValue("select 2");
            })).isInstanceOf(IllegalStateException.class).hasMessageContaining("singleStatement");
            assertThatThrownBy(() -> db.transaction(ONE, tx -> tx.connection()))
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void workThatNeedsTransactionSettingsIgnoresTheFlag(TestDatabase testDb) {
        assertThat(ONE.withIsolation(IsolationLevel.SERIALIZABLE).autoCommits()).isFalse();
        assertThat(ONE.withActingUser(UUID.randomUUID()).autoCommits()).isFalse();
        assertThat(ONE.withTimeout(java.time.Duration.ofSeconds(1)).autoCommits()).isFalse();
        assertThat(ONE.withReadOnly(true).autoCommits()).isFalse();
        try (JeexDatabase db = JeexDatabase.create(TestConfigs.forDatabase(testDb).build())) {
            String isolation = db.transaction(ONE.withIsolation(IsolationLevel.SERIALIZABLE), tx -> {
                tx.dsl().fetchValue("select 1");
                return tx.dsl().fetchOne("select current_setting('transaction_isolation')").get(0, String.class);
            });
            assertThat(isolation).isEqualTo("serializable");
        }
    }

    /** Read-only work is retried after a lost connection, so read-only must be enforced, also for one statement. */
    @Test
    void aWriteInReadOnlySingleStatementWorkIsRefused(TestDatabase testDb) {
        try (JeexDatabase db = JeexDatabase.create(TestConfigs.forDatabase(testDb).build())) {
            assertThatThrownBy(() -> db.readOnly(ONE, tx -> tx.dsl().insertInto(USERS)
                    .set(USERS.EMAIL, "ro@example.com").set(USERS.NAME, "RO").execute()))
                    .isInstanceOfSatisfying(UncategorizedDatabaseException.class,
                            e -> assertThat(e.sqlState()).isEqualTo("25006"));
            assertThat(testDb.dsl().fetchCount(USERS)).isZero();
            String readOnly = db.readOnly(ONE, tx -> tx.dsl()
                    .fetchOne("select current_setting('transaction_read_only')").get(0, String.class));
            assertThat(readOnly).isEqualTo("on");
        }
    }

    /**
     * The repositories' own reads (single SELECTs the library writes) run auto-committed through
     * the engine's library-read mode: a read-only transaction of their own would cost two more
     * round trips. The same options from a caller, through the public API, still get a READ ONLY
     * transaction.
     */
    @Test
    void theLibrarysOwnReadsRunAutoCommittedButACallersReadOnlyWorkDoesNot(TestDatabase testDb) {
        TxOptions options = TxOptions.named("test.library_read").withReadOnly(true).withSingleStatement(true);
        String sql = "select current_setting('transaction_read_only')";
        try (JeexDatabase db = JeexDatabase.create(TestConfigs.forDatabase(testDb).build())) {
            String libraryReadOnly = db.runtime().runner().run(options, RetryPolicy.Mode.LIBRARY_READ,
                    tx -> tx.dsl().fetchOne(sql).get(0, String.class));
            String callerReadOnly = db.readOnly(options, tx -> tx.dsl().fetchOne(sql).get(0, String.class));
            assertThat(libraryReadOnly).as("no transaction block: the statement is its own transaction")
                    .isEqualTo("off");
            assertThat(callerReadOnly).isEqualTo("on");
            assertThatThrownBy(() -> db.readOnly(options, tx -> tx.dsl().insertInto(USERS)
                    .set(USERS.EMAIL, "alike@example.com").set(USERS.NAME, "Alike").execute()))
                    .isInstanceOfSatisfying(UncategorizedDatabaseException.class,
                            e -> assertThat(e.sqlState()).isEqualTo("25006"));
            assertThat(testDb.dsl().fetchCount(USERS)).isZero();
        }
    }

    /**
     * pgBouncer(true) only changes what the client does (no start-up statement_timeout, which
     * PgBouncer would not pass on), so a direct server shows it: a single statement has no
     * transaction to SET LOCAL the timeout in, and the driver's query timeout stands in.
     */
    @Test
    void behindPgBouncerTheStatementTimeoutStillAppliesToSingleStatementWork(TestDatabase testDb) {
        try (JeexDatabase db = JeexDatabase.create(TestConfigs.forDatabase(testDb).pool(p -> p.withPgBouncer(true))
                .migration(m -> m.withUrl(testDb.jdbcUrl())).pool(p -> p.withStatementTimeout(Duration.ofSeconds(1)))
                .build())) {
            assertThatThrownBy(() -> db.transaction(ONE, tx -> tx.dsl().fetchValue("select pg_sleep(3)")))
                    .isInstanceOfSatisfying(DatabaseTimeoutException.class,
                            e -> assertThat(e.sqlState()).isEqualTo("57014"));
            assertThatThrownBy(() -> db.transaction(ONE, tx -> Jdbc.run(tx, "select pg_sleep(3)", ps -> ps.execute())))
                    .isInstanceOfSatisfying(DatabaseTimeoutException.class,
                            e -> assertThat(e.sqlState()).isEqualTo("57014"));
            // and in a transaction, where SET LOCAL sets it on the server
            assertThatThrownBy(() -> db.transaction(tx -> tx.dsl().fetchValue("select pg_sleep(3)")))
                    .isInstanceOf(DatabaseTimeoutException.class);
        }
    }

    /**
     * What the pool asks of the driver behind PgBouncer, seen on a direct server: with
     * pgBouncer(true) alone every statement is unnamed (prepareThreshold=0), so a statement run
     * ten times on one connection leaves no prepared statement on it; with
     * pgBouncerPreparedStatements(true) as well, pgjdbc's default threshold (5) prepares it. A pool
     * of one connection, so the ten calls and the count share one session.
     */
    @Test
    void pgBouncerPreparedStatementsKeepsTheDriversServerSidePreparedStatements(TestDatabase testDb) {
        for (boolean prepared : new boolean[] {false, true}) {
            try (JeexDatabase db = JeexDatabase.create(TestConfigs.forDatabase(testDb).poolSize(1)
                    .pool(p -> p.withMaxOverflow(0).withPgBouncer(true).withPgBouncerPreparedStatements(prepared))
                    .migration(m -> m.withUrl(testDb.jdbcUrl())).build())) {
                java.util.UUID someone = java.util.UUID.randomUUID();
                for (int i = 0; i < 10; i++) {
                    assertThat(db.actingAs(someone).users().byId(someone)).isEmpty();
                }
                long named = db.transaction(tx -> tx.dsl().fetchOne(
                        "select count(*) from pg_prepared_statements where statement like '%users%' "
                                + "and statement not like '%pg_prepared%'").get(0, Long.class));
                assertThat(named).as("server-side prepared lookups with pgBouncerPreparedStatements=%s", prepared)
                        .isEqualTo(prepared ? 1L : 0L);
            }
        }
    }

    @Test
    void aNestedSingleStatementCallJoinsTheOuterTransaction(TestDatabase testDb) {
        try (JeexDatabase db = JeexDatabase.create(TestConfigs.forDatabase(testDb).build())) {
            Repositories ada = db.actingAsNewUser();
            assertThatThrownBy(() -> db.transaction(tx -> {
                User nested = ada.users().create("nested@example.com", "Nested");
                ada.projects().create(nested.id(), "Second", "en");
                throw new IllegalStateException("roll back both");
            })).hasMessage("roll back both");
            assertThat(testDb.dsl().fetchCount(USERS)).isZero();
        }
    }
}
