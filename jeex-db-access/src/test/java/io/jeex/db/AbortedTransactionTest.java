package io.jeex.db;

import static io.jeex.db.codegen.Tables.USERS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jeex.db.error.RowSecurityException;
import io.jeex.db.error.TransactionAbortedException;
import io.jeex.db.error.UniqueViolationException;
import io.jeex.db.repository.Repositories;
import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.testkit.junit.JeexDbTest;
import io.jeex.db.tx.TxOptions;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.UUID;
import org.jooq.exception.DataAccessException;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL aborts a transaction at its first failed statement and answers a later COMMIT with
 * ROLLBACK, without an error. Work that catches the failure and returns normally must not be
 * reported as committed.
 */
@JeexDbTest
class AbortedTransactionTest {

    private static final String EMAIL = "taken@example.com";

    @Test
    void aRepositoryErrorCaughtInsideTheTransactionIsTypedAndTheCallerStillGetsAnError(TestDatabase testDb) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (JeexDatabase db = JeexDatabase.create(TestConfigs.asApplication(testDb).build(), registry)) {
            db.actingAsNewUser().users().create(EMAIL, "First");
            boolean[] caught = {false};

            Repositories newcomer = db.actingAsNewUser();
            assertThatThrownBy(() -> db.transaction(TxOptions.named("swallow"), tx -> {
                newcomer.users().create("kept@example.com", "Kept?");
                try {
                    newcomer.projects().create(UUID.randomUUID(), "Not mine", "en"); // nested call: joins, fails
                } catch (RowSecurityException e) {
                    caught[0] = true;
                }
                return null;
            })).isInstanceOfSatisfying(TransactionAbortedException.class, e -> {
                assertThat(e.getMessage()).contains("transaction swallow").contains("rolled back")
                        .contains("SQLSTATE 42501");
                assertThat(e.getCause()).isInstanceOf(RowSecurityException.class);
                assertThat(e.sqlState()).isEqualTo("42501");
            });

            assertThat(caught[0]).as("the nested repository call threw the typed error").isTrue();
            assertThat(testDb.dsl().fetchCount(USERS)).as("nothing of the aborted transaction is stored").isOne();
            assertThat(txCount(registry, "swallow", "committed")).isZero();
            assertThat(txCount(registry, "swallow", "failed")).isOne();
        }
    }

    @Test
    void aJooqErrorCaughtInsideTheTransactionIsNotReportedAsCommitted(TestDatabase testDb) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (JeexDatabase db = JeexDatabase.create(TestConfigs.asApplication(testDb).build(), registry)) {
            db.actingAsNewUser().users().create(EMAIL, "First");

            UUID me = UUID.randomUUID();
            assertThatThrownBy(() -> db.transaction(TxOptions.named("swallow_dsl").withActingUser(me), tx -> {
                tx.dsl().insertInto(USERS).set(USERS.ID, me).set(USERS.EMAIL, "kept@example.com")
                        .set(USERS.NAME, "Kept?").execute();
                try {
                    tx.dsl().insertInto(USERS).set(USERS.ID, me).set(USERS.EMAIL, EMAIL).set(USERS.NAME, "Dup").execute();
                } catch (DataAccessException e) {
                    // swallowed
                }
                return "done";
            })).isInstanceOfSatisfying(TransactionAbortedException.class,
                    e -> assertThat(e.getCause()).isInstanceOf(UniqueViolationException.class));

            assertThat(testDb.dsl().fetchCount(USERS)).isOne();
            assertThat(txCount(registry, "swallow_dsl", "committed")).isZero();
            assertThat(txCount(registry, "swallow_dsl", "failed")).isOne();
        }
    }

    @Test
    void aFailureOnTheRawConnectionIsDetectedFromTheDriversTransactionState(TestDatabase testDb) {
        try (JeexDatabase db = JeexDatabase.create(TestConfigs.asApplication(testDb).build())) {
            UUID me = UUID.randomUUID();
            assertThatThrownBy(() -> db.transaction(TxOptions.named("raw").withActingUser(me), tx -> {
                tx.dsl().insertInto(USERS).set(USERS.ID, me).set(USERS.EMAIL, "kept@example.com")
                        .set(USERS.NAME, "Kept?").execute();
                try (Statement s = tx.connection().createStatement()) {
                    s.execute("select 1/0");
                } catch (java.sql.SQLException e) {
                    // swallowed, and not seen by the library's statement observer
                }
                return null;
            })).isInstanceOfSatisfying(TransactionAbortedException.class, e -> {
                assertThat(e.getMessage()).contains("rolled back");
                assertThat(e.getCause()).isNull();
            });
            assertThat(testDb.dsl().fetchCount(USERS)).isZero();
        }
    }

    @Test
    void aFailureUndoneWithASavepointStillCommits(TestDatabase testDb) {
        try (JeexDatabase db = JeexDatabase.create(TestConfigs.asApplication(testDb).build())) {
            db.actingAsNewUser().users().create(EMAIL, "First");

            UUID me = UUID.randomUUID();
            db.transaction(TxOptions.named("savepoint").withActingUser(me), tx -> {
                tx.dsl().insertInto(USERS).set(USERS.ID, me).set(USERS.EMAIL, "kept@example.com")
                        .set(USERS.NAME, "Kept").execute();
                Savepoint savepoint = tx.connection().setSavepoint();
                try {
                    tx.dsl().insertInto(USERS).set(USERS.ID, me).set(USERS.EMAIL, EMAIL).set(USERS.NAME, "Dup").execute();
                } catch (DataAccessException e) {
                    tx.connection().rollback(savepoint);
                }
                return null;
            });

            assertThat(testDb.dsl().fetchCount(USERS)).as("the transaction was healthy again and committed")
                    .isEqualTo(2);
        }
    }

    @Test
    void aNestedCallThatCatchesItsOwnErrorAbortsTheOuterTransaction(TestDatabase testDb) {
        try (JeexDatabase db = JeexDatabase.create(TestConfigs.asApplication(testDb).build())) {
            db.actingAsNewUser().users().create(EMAIL, "First");

            // two users in one transaction: an operator's work, in system mode
            TxOptions system = TxOptions.named("import").asSystem();
            assertThatThrownBy(() -> db.transaction(system, tx -> {
                db.system().users().create("kept@example.com", "Kept?");
                // a nested call (no savepoint: it joins) that handles the error itself
                Boolean created = db.transaction(TxOptions.named("inner").asSystem(), inner -> {
                    try {
                        db.system().users().create(EMAIL, "Dup");
                        return true;
                    } catch (UniqueViolationException e) {
                        return false;
                    }
                });
                assertThat(created).isFalse();
                return null;
            })).isInstanceOf(TransactionAbortedException.class);

            assertThat(testDb.dsl().fetchCount(USERS)).isOne();
        }
    }

    @Test
    void anUncaughtRepositoryErrorInsideATransactionReachesTheCallerTypedAndCountedByCategory(TestDatabase testDb) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (JeexDatabase db = JeexDatabase.create(TestConfigs.asApplication(testDb).build(), registry)) {
            db.actingAsNewUser().users().create(EMAIL, "First");

            assertThatThrownBy(() -> db.transaction(TxOptions.named("uncaught"), tx -> db.actingAsNewUser().users().create(EMAIL, "Dup")))
                    .isInstanceOfSatisfying(UniqueViolationException.class, e -> {
                        assertThat(e.constraint()).isEqualTo("users_email_lower_key");
                        assertThat(e.getMessage()).contains("transaction uncaught");
                    });
            Timer t = registry.find("jeex.db.transaction").tag("name", "uncaught").tag("outcome", "failed")
                    .tag("category", "unique_violation").timer();
            assertThat(t).isNotNull();
            assertThat(t.count()).isOne();
        }
    }

    private static long txCount(SimpleMeterRegistry registry, String name, String outcome) {
        return registry.find("jeex.db.transaction").tag("name", name).tag("outcome", outcome).timers().stream()
                .mapToLong(Timer::count).sum();
    }
}
