package io.jeex.db;

import static io.jeex.db.codegen.Tables.PROJECTS;
import static io.jeex.db.codegen.Tables.USERS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.jeex.db.error.CheckViolationException;
import io.jeex.db.error.ConcurrentUpdateException;
import io.jeex.db.error.DatabaseTimeoutException;
import io.jeex.db.error.ForeignKeyViolationException;
import io.jeex.db.error.JeexDbException;
import io.jeex.db.error.NotFoundException;
import io.jeex.db.error.NotNullViolationException;
import io.jeex.db.error.PermissionDeniedException;
import io.jeex.db.error.UncategorizedDatabaseException;
import io.jeex.db.error.UniqueViolationException;
import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.testkit.junit.JeexDbTest;
import io.jeex.db.tx.TxOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jooq.Record2;
import org.junit.jupiter.api.Test;

/** Each error category, produced by a real statement on PostgreSQL 18 and translated. */
@JeexDbTest
class ErrorTranslationTest {

    private static final String EMAIL = "ada.lovelace.private@example.com";

    private static JeexDatabase open(TestDatabase testDb) {
        return JeexDatabase.create(TestConfigs.forDatabase(testDb).build());
    }

    private static UUID insertUser(JeexDatabase db, String email) {
        return db.transaction(tx -> tx.dsl().insertInto(USERS).set(USERS.EMAIL, email).set(USERS.NAME, "Ada")
                .returning(USERS.ID).fetchOne(USERS.ID));
    }

    private static String stackTrace(Throwable t) {
        StringWriter out = new StringWriter();
        t.printStackTrace(new PrintWriter(out));
        return out.toString();
    }

    @Test
    void uniqueViolationKeepsTheRowValuesOutOfTheMessageAndTheWholeStackTrace(TestDatabase testDb) {
        try (JeexDatabase db = open(testDb)) {
            insertUser(db, EMAIL);

            Throwable e = catchThrowable(() -> insertUser(db, EMAIL));

            assertThat(e).isInstanceOf(UniqueViolationException.class)
                    .hasMessage("a user with this email already exists [SQLSTATE 23505, constraint users_email_lower_key, "
                            + "table users, transaction transaction]");
            assertThat(stackTrace(e)).doesNotContain(EMAIL);
        }
    }

    @Test
    void uniqueViolationShowsTheDetailWhenConfigured(TestDatabase testDb) {
        try (JeexDatabase db = JeexDatabase.create(TestConfigs.forDatabase(testDb)
                .pool(p -> p.withIncludeErrorDetail(true)).build())) {
            insertUser(db, EMAIL);

            assertThatThrownBy(() -> insertUser(db, EMAIL)).isInstanceOf(UniqueViolationException.class)
                    .hasMessageContaining(" DETAIL: Key ").hasMessageContaining("=(" + EMAIL + ") already exists.");
        }
    }

    @Test
    void foreignKeyViolationNamesTheRule(TestDatabase testDb) {
        try (JeexDatabase db = open(testDb)) {
            UUID missing = UUID.randomUUID();
            assertThatThrownBy(() -> db.transaction(tx -> tx.dsl().insertInto(PROJECTS).set(PROJECTS.NAME, "P")
                    .set(PROJECTS.CREATED_BY, missing).execute()))
                    .isInstanceOfSatisfying(ForeignKeyViolationException.class, e -> {
                        assertThat(e.constraint()).isEqualTo("projects_created_by_fkey");
                        assertThat(e.table()).isEqualTo("projects");
                        assertThat(e.getMessage()).startsWith("a project's owner (created_by) must be an existing user");
                        // the server's DETAIL names the missing key: Key (created_by)=(...) is not present
                        assertThat(stackTrace(e)).doesNotContain(missing.toString());
                    });
        }
    }

    @Test
    void checkViolationNamesTheRule(TestDatabase testDb) {
        try (JeexDatabase db = open(testDb)) {
            UUID owner = insertUser(db, EMAIL);

            assertThatThrownBy(() -> db.transaction(tx -> tx.dsl().insertInto(PROJECTS).set(PROJECTS.NAME, "P")
                    .set(PROJECTS.CREATED_BY, owner).set(PROJECTS.CURRENT_STEP, 7).execute()))
                    .isInstanceOfSatisfying(CheckViolationException.class, e -> {
                        assertThat(e.constraint()).isEqualTo("projects_current_step_check");
                        assertThat(e.getMessage()).startsWith("a project's current step must be between 1 and 4");
                        assertThat(stackTrace(e)).doesNotContain(owner.toString());
                    });
        }
    }

    @Test
    void notNullViolationNamesTheColumnButNotTheRow(TestDatabase testDb) {
        try (JeexDatabase db = open(testDb)) {
            assertThatThrownBy(() -> db.transaction(tx -> tx.dsl().insertInto(USERS).set(USERS.EMAIL, EMAIL)
                    .set(USERS.NAME, (String) null).execute()))
                    .isInstanceOfSatisfying(NotNullViolationException.class, e -> {
                        assertThat(e.table()).isEqualTo("users");
                        assertThat(e.column()).isEqualTo("name");
                        assertThat(e.getMessage()).startsWith("users.name must have a value");
                        assertThat(stackTrace(e)).doesNotContain(EMAIL);
                    });
        }
    }

    @Test
    void permissionDeniedForARoleWithoutPrivileges(TestDatabase testDb) {
        String role = "jeex_noperm_" + UUID.randomUUID().toString().substring(0, 8);
        testDb.dsl().execute("create role " + role + " login");
        try (JeexDatabase db = JeexDatabase.create(TestConfigs.forDatabase(testDb).user(role).build())) {
            assertThatThrownBy(() -> db.transaction(tx -> tx.dsl().fetchCount(USERS)))
                    .isInstanceOfSatisfying(PermissionDeniedException.class, e -> {
                        assertThat(e.sqlState()).isEqualTo("42501");
                        assertThat(e.getMessage()).contains("permission denied for table users");
                    });
        } finally {
            testDb.dsl().execute("drop role " + role);
        }
    }

    @Test
    void statementTimeoutIsATimeout(TestDatabase testDb) {
        try (JeexDatabase db = open(testDb)) {
            assertThatThrownBy(() -> db.transaction(TxOptions.named("slow").withTimeout(Duration.ofMillis(100)),
                    tx -> tx.dsl().execute("select pg_sleep(10)")))
                    .isInstanceOfSatisfying(DatabaseTimeoutException.class, e -> {
                        assertThat(e.sqlState()).isEqualTo("57014");
                        assertThat(e.attempts()).isEqualTo(1);
                    });
        }
    }

    @Test
    void lockNotAvailableWithNowaitIsATimeoutAndNotRetriedByDefault(TestDatabase testDb) throws Exception {
        try (JeexDatabase db = open(testDb); Connection holder = testDb.dataSource().getConnection()) {
            UUID id = insertUser(db, EMAIL);
            holder.setAutoCommit(false);
            holder.createStatement().execute("select * from users where id = '" + id + "' for update");

            assertThatThrownBy(() -> db.transaction(tx -> tx.dsl().selectFrom(USERS).where(USERS.ID.eq(id))
                    .forUpdate().noWait().fetch()))
                    .isInstanceOfSatisfying(DatabaseTimeoutException.class, e -> {
                        assertThat(e.sqlState()).isEqualTo("55P03");
                        assertThat(e.attempts()).isEqualTo(1);
                    });
            holder.rollback();
        }
    }

    @Test
    void lockNotAvailableIsRetriedWhenConfigured(TestDatabase testDb) throws Exception {
        try (JeexDatabase db = JeexDatabase.create(TestConfigs.forDatabase(testDb).retry(r -> r.withOnLockTimeout(true)
                .withMaxAttempts(2)).build()); Connection holder = testDb.dataSource().getConnection()) {
            UUID id = insertUser(db, EMAIL);
            holder.setAutoCommit(false);
            holder.createStatement().execute("select * from users where id = '" + id + "' for update");
            java.util.concurrent.atomic.AtomicInteger invocations = new java.util.concurrent.atomic.AtomicInteger();

            int locked = db.transaction(tx -> {
                if (invocations.incrementAndGet() == 2) {
                    holder.rollback(); // the holder lets go before the retry
                }
                return tx.dsl().selectFrom(USERS).where(USERS.ID.eq(id)).forUpdate().noWait().fetch().size();
            });

            assertThat(locked).isEqualTo(1);
            assertThat(invocations).hasValue(2);
        }
    }

    @Test
    void missingRowIsNotFound(TestDatabase testDb) {
        try (JeexDatabase db = open(testDb)) {
            UUID id = UUID.randomUUID();

            assertThatThrownBy(() -> db.transaction(tx -> NotFoundException.requireFound(
                    tx.dsl().selectFrom(USERS).where(USERS.ID.eq(id)).fetchOptional(), "users", "user " + id)))
                    .isInstanceOfSatisfying(NotFoundException.class, e -> {
                        assertThat(e.table()).isEqualTo("users");
                        assertThat(e.getMessage()).isEqualTo("user " + id + " was not found");
                    });
        }
    }

    @Test
    void staleOptimisticUpdateIsAConcurrentUpdate(TestDatabase testDb) {
        try (JeexDatabase db = open(testDb)) {
            Record2<UUID, Instant> read = db.transaction(tx -> tx.dsl().insertInto(USERS).set(USERS.EMAIL, EMAIL)
                    .set(USERS.NAME, "Ada").returningResult(USERS.ID, USERS.UPDATED_AT).fetchOne());
            db.transaction(tx -> {
                ConcurrentUpdateException.requireUpdated(tx.dsl().update(USERS).set(USERS.NAME, "Ada L.")
                        .where(USERS.ID.eq(read.value1()), USERS.UPDATED_AT.eq(read.value2())).execute(), "users", "user");
                return null;
            });

            assertThatThrownBy(() -> db.transaction(tx -> {
                ConcurrentUpdateException.requireUpdated(tx.dsl().update(USERS).set(USERS.NAME, "Ada King")
                        .where(USERS.ID.eq(read.value1()), USERS.UPDATED_AT.eq(read.value2())).execute(),
                        "users", "user " + read.value1());
                return null;
            })).isInstanceOfSatisfying(ConcurrentUpdateException.class, e -> assertThat(e.table()).isEqualTo("users"));
        }
    }

    @Test
    void dataErrorKeepsTheRejectedValueOutOfTheMessage(TestDatabase testDb) {
        try (JeexDatabase db = open(testDb)) {
            assertThatThrownBy(() -> db.transaction(tx -> tx.dsl().fetch("select ?::uuid", "secret-not-a-uuid")))
                    .isInstanceOfSatisfying(UncategorizedDatabaseException.class, e -> {
                        assertThat(e.sqlState()).isEqualTo("22P02");
                        assertThat(e.getMessage()).doesNotContain("secret-not-a-uuid");
                        assertThat(stackTrace(e)).as("the message, every cause and the stack trace")
                                .doesNotContain("secret-not-a-uuid").contains("22P02");
                    });
            // the same through db.dsl(), a repository (plain JDBC) and a nested call
            assertThatThrownBy(() -> db.dsl().fetch("select ?::uuid", "secret-not-a-uuid"))
                    .isInstanceOfSatisfying(UncategorizedDatabaseException.class,
                            e -> assertThat(stackTrace(e)).doesNotContain("secret-not-a-uuid"));
            assertThatThrownBy(() -> db.transaction(tx -> db.transaction(inner -> inner.dsl()
                    .fetch("select ?::numeric", "secret-not-a-number"))))
                    .isInstanceOfSatisfying(UncategorizedDatabaseException.class,
                            e -> assertThat(stackTrace(e)).doesNotContain("secret-not-a-number"));
        }
    }

    @Test
    void dataErrorShowsTheRejectedValueWhenConfigured(TestDatabase testDb) {
        try (JeexDatabase db = JeexDatabase.create(TestConfigs.forDatabase(testDb)
                .pool(p -> p.withIncludeErrorDetail(true)).build())) {
            assertThatThrownBy(() -> db.transaction(tx -> tx.dsl().fetch("select ?::uuid", "not-a-uuid")))
                    .isInstanceOfSatisfying(UncategorizedDatabaseException.class, e -> {
                        assertThat(e.getMessage()).contains("not-a-uuid");
                        assertThat(e.getCause()).hasMessageContaining("not-a-uuid");
                    });
        }
    }

    @Test
    void errorsOfStatementsOutsideTransactionsAreTranslatedToo(TestDatabase testDb) {
        try (JeexDatabase db = open(testDb)) {
            insertUser(db, EMAIL);

            assertThatThrownBy(() -> db.dsl().insertInto(USERS).set(USERS.EMAIL, EMAIL).set(USERS.NAME, "Ada").execute())
                    .isInstanceOfSatisfying(UniqueViolationException.class,
                            e -> assertThat(e.constraint()).isEqualTo("users_email_lower_key"));
        }
    }

    /**
     * A row routed into a partition of agent_executions (V5) breaks the partition's own key index
     * and is reported on the partition: the caller sees the table it wrote to and the schema's names.
     */
    @Test
    void aViolationInAPartitionNamesThePartitionedTableAndItsConstraint(TestDatabase testDb) {
        try (JeexDatabase db = open(testDb)) {
            UUID user = insertUser(db, EMAIL);
            UUID project = db.transaction(tx -> tx.dsl().fetchOne("insert into projects (name, created_by) values "
                    + "('P', ?) returning id", user).get(0, UUID.class));
            UUID id = Ids.next();
            String insert = "insert into agent_executions (id, project_id, agent_type, correlation_id, status) "
                    + "values (?, ?, 'analyst', gen_random_uuid(), ?)";
            db.transaction(tx -> tx.dsl().execute(insert, id, project, "running"));
            assertThat(testDb.dsl().fetchValue("select tableoid::regclass::text from agent_executions where id = ?", id))
                    .as("stored in a month's partition").asString().startsWith("agent_executions_y");

            Throwable duplicate = catchThrowable(() -> db.transaction(tx -> tx.dsl().execute(insert, id, project,
                    "running")));
            assertThat(duplicate).isInstanceOf(UniqueViolationException.class)
                    .hasMessage("an agent execution with this id already exists [SQLSTATE 23505, constraint "
                            + "agent_executions_pkey, table agent_executions, transaction transaction]");
            Throwable check = catchThrowable(() -> db.transaction(tx -> tx.dsl().execute(insert, Ids.next(), project,
                    "lost")));
            assertThat(check).isInstanceOf(CheckViolationException.class);
            assertThat(((JeexDbException) check).table()).isEqualTo("agent_executions");
            assertThat(((JeexDbException) check).constraint()).isEqualTo("agent_executions_status_check");
        }
    }

    /** NOT NULL constraints (rows of pg_constraint since PostgreSQL 18) are reported by column instead. */
    @Test
    void everyConstraintOfTheSchemaHasASentence(TestDatabase testDb) {
        List<String> names = testDb.dsl().fetch("""
                select conname from pg_constraint
                 where connamespace = 'public'::regnamespace and contype <> 'n' and conrelid::regclass::text in
                       ('users', 'projects', 'document_versions', 'agent_executions', 'exports')
                union
                select i.indexrelid::regclass::text from pg_index i
                 where i.indisunique and i.indrelid::regclass::text in
                       ('users', 'projects', 'document_versions', 'agent_executions', 'exports')
                """).getValues(0, String.class);

        assertThat(names).isNotEmpty();
        assertThat(ConstraintMessages.constraints()).containsAll(names);
    }
}
