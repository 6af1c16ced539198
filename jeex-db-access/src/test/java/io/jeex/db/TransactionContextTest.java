package io.jeex.db;

import static io.jeex.db.codegen.Tables.USERS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jeex.db.error.UncategorizedDatabaseException;
import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.testkit.junit.JeexDbTest;
import io.jeex.db.tx.IsolationLevel;
import io.jeex.db.tx.TxOptions;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.junit.jupiter.api.Test;

@JeexDbTest
class TransactionContextTest {

    private static final String SETTINGS = "select pg_backend_pid() as pid, "
            + "current_setting('transaction_isolation') as isolation, "
            + "current_setting('transaction_read_only') as read_only, "
            + "current_setting('statement_timeout') as timeout, "
            + "coalesce(current_setting('jeex.acting_user_id', true), '') as acting_user";

    private static Map<String, Object> settings(DSLContext dsl) {
        Record r = dsl.fetchOne(SETTINGS);
        return r.intoMap();
    }

    @Test
    void optionsApplyInsideTheTransactionAndDoNotLeakToTheNextOneOnTheSameConnection(TestDatabase testDb) {
        try (JeexDatabase db = JeexDatabase.create(TestConfigs.forDatabase(testDb).poolSize(1)
                .pool(p -> p.withMaxOverflow(0)).build())) {
            UUID actingUser = UUID.randomUUID();

            Map<String, Object> inside = db.transaction(TxOptions.named("configured")
                    .withIsolation(IsolationLevel.SERIALIZABLE)
                    .withActingUser(actingUser)
                    .withTimeout(Duration.ofSeconds(5)), tx -> settings(tx.dsl()));
            Map<String, Object> next = db.transaction(tx -> settings(tx.dsl()));
            Map<String, Object> outside = settings(db.dsl());

            assertThat(inside).containsEntry("isolation", "serializable").containsEntry("timeout", "5s")
                    .containsEntry("acting_user", actingUser.toString());
            assertThat(next.get("pid")).as("same pooled connection").isEqualTo(inside.get("pid"));
            assertThat(next).containsEntry("isolation", "read committed").containsEntry("timeout", "30s")
                    .containsEntry("acting_user", "");
            assertThat(outside.get("pid")).as("same pooled connection").isEqualTo(inside.get("pid"));
            // outside transactions the pool's default applies: a start-up parameter of every connection
            assertThat(outside).containsEntry("isolation", "read committed").containsEntry("timeout", "30s")
                    .containsEntry("acting_user", "").containsEntry("read_only", "off");
        }
    }

    @Test
    void readOnlyTransactionRejectsWritesAndLeavesTheConnectionReadWrite(TestDatabase testDb) {
        try (JeexDatabase db = JeexDatabase.create(TestConfigs.forDatabase(testDb).poolSize(1)
                .pool(p -> p.withMaxOverflow(0)).build())) {
            assertThatThrownBy(() -> db.readOnly(tx -> tx.dsl().insertInto(USERS).set(USERS.EMAIL, "r@example.com")
                    .set(USERS.NAME, "R").execute()))
                    .isInstanceOfSatisfying(UncategorizedDatabaseException.class,
                            e -> assertThat(e.sqlState()).isEqualTo("25006"));

            Map<String, Object> readOnly = db.readOnly(tx -> settings(tx.dsl()));
            Map<String, Object> readWrite = db.transaction(tx -> settings(tx.dsl()));
            assertThat(readOnly).containsEntry("read_only", "on");
            assertThat(readWrite).containsEntry("read_only", "off");
        }
    }

    @Test
    void nestedCallCannotAskForStrongerIsolationThanTheOuterTransaction(TestDatabase testDb) {
        try (JeexDatabase db = JeexDatabase.create(TestConfigs.forDatabase(testDb).build())) {
            assertThatThrownBy(() -> db.transaction(tx -> db.transaction(
                    TxOptions.defaults().withIsolation(IsolationLevel.SERIALIZABLE), inner -> 1)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("SERIALIZABLE isolation inside a READ_COMMITTED transaction");
        }
    }
}
