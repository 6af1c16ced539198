package io.jeex.db.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link TestkitSettings#RECYCLE} as a service's test suite meets it: tests that write rows, one
 * that changes the schema, one that changes a seeded row, one that leaks a connection, and tests
 * running in parallel; every test must find a database exactly like a fresh clone.
 */
class RecycleTest {

    private static JeexPostgres own;
    private static String adminUser;
    private static String adminPassword;

    @BeforeAll
    static void start() {
        // prefetch 0: a test gets a recycled database when one is ready, else a clone of its own
        own = JeexPostgres.start(TestkitSettings.of(Map.of(TestkitSettings.PROVIDER, "embedded",
                TestkitSettings.PREFETCH, "0", TestkitSettings.RECYCLE, "true",
                TestkitSettings.SERVICE_NAME, "recycletest",
                TestkitSettings.SERVICE_LOCATIONS, "classpath:db/migration/recycletest"), Map.of()));
        try (TestDatabase any = own.newEmptyDatabase()) {
            adminUser = any.user();
            adminPassword = any.password();
        }
    }

    @AfterAll
    static void stop() {
        own.shutdown();
    }

    @Test
    void aDatabaseWithRowsComesBackEmptyUnderANewNameWithItsSeededRowsAndSequencesAsFresh() throws Exception {
        long before = settled();
        String used;
        long firstTicket;
        try (TestDatabase db = own.newDatabase()) {
            used = db.name();
            firstTicket = writeRows(db.dsl());
            assertThat(writeTicket(db.dsl())).isEqualTo(firstTicket + 1);
            assertThat(db.dsl().fetchValue("select nextval('ticket_numbers')")).as("as migrated").isEqualTo(50L);
            assertThat(db.dsl().fetchValue("select nextval('invoice_numbers')")).as("as migrated").isEqualTo(701L);
        }
        assertThat(settled()).as("recycled").isEqualTo(before + 1);
        assertThat(databaseExists(used)).as("the used name is gone").isFalse();

        // every database handed out now (the reference clone, the recycled one) is like a fresh clone
        for (int i = 0; i < 2; i++) {
            try (TestDatabase next = own.newDatabase()) {
                DSLContext dsl = next.dsl();
                assertThat(next.name()).isNotEqualTo(used);
                assertThat(dsl.fetchValue("select count(*) from users")).isEqualTo(0L);
                assertThat(dsl.fetchValue("select count(*) from projects")).isEqualTo(0L);
                assertThat(dsl.fetchValue("select count(*) from tickets")).isEqualTo(0L);
                assertThat(dsl.fetchValue("select string_agg(code, ',' order by code) from ticket_kinds"))
                        .isEqualTo("bug,task");
                assertThat(dsl.fetchValue("select count(*) from jeex_schema_history where success")).isNotEqualTo(0L);
                assertThat(writeRows(dsl)).as("the identity sequence starts again").isEqualTo(firstTicket);
                assertThat(dsl.fetchValue("select nextval('ticket_numbers')"))
                        .as("a sequence the migration set back (setval(.., 50, false))").isEqualTo(50L);
                assertThat(dsl.fetchValue("select nextval('invoice_numbers')"))
                        .as("a sequence the migration moved on (setval(.., 700))").isEqualTo(701L);
                // the foreign keys and policies still hold after the reset (triggers were off only for it)
                assertThatThrownBy(() -> dsl.execute("insert into tickets (project_id, kind) values (?, 'bug')",
                        UUID.randomUUID())).hasMessageContaining("tickets_project_id_fkey");
            }
        }
    }

    @Test
    void aConnectionTheTestLeakedCannotReachTheNextTestsDatabase() throws Exception {
        long before = settled();
        Connection leaked;
        String used;
        try (TestDatabase db = own.newDatabase()) {
            used = db.name();
            leaked = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
            writeRows(DSL.using(leaked, SQLDialect.POSTGRES));
        }
        assertThat(settled()).as("recycled").isEqualTo(before + 1);
        try (leaked) {
            assertThatThrownBy(() -> leaked.createStatement().execute("select 1")).isInstanceOf(SQLException.class);
        }
        TestDatabase any = own.newDatabase();
        try (any) {
            String oldUrl = any.jdbcUrl().replace(any.name(), used);
            assertThatThrownBy(() -> DriverManager.getConnection(oldUrl, any.user(), any.password()).close())
                    .isInstanceOf(SQLException.class).hasMessageContaining("does not exist");
        }
    }

    @Test
    void aDatabaseWhoseSchemaOrSeededRowsChangedIsDroppedNotRecycled() throws Exception {
        long before = settled();
        String changedSchema;
        try (TestDatabase db = own.newDatabase()) {
            changedSchema = db.name();
            db.dsl().execute("create index tickets_kind_idx on tickets (kind)");
        }
        String changedSeed;
        try (TestDatabase db = own.newDatabase()) {
            changedSeed = db.name();
            db.dsl().execute("update ticket_kinds set label = 'Defect' where code = 'bug'");
        }
        String changedGrant;
        try (TestDatabase db = own.newDatabase()) {
            changedGrant = db.name();
            db.dsl().execute("revoke select on ticket_kinds from public");
            db.dsl().execute("alter table tickets disable trigger all");
        }
        assertThat(settled()).as("none was recycled").isEqualTo(before);
        assertThat(databaseExists(changedSchema)).as("dropped").isFalse();
        assertThat(databaseExists(changedSeed)).as("dropped").isFalse();
        assertThat(databaseExists(changedGrant)).as("dropped").isFalse();
        for (int i = 0; i < 3; i++) {
            try (TestDatabase next = own.newDatabase()) {
                assertThat(next.dsl().fetchValue("select count(*) from pg_indexes where indexname = 'tickets_kind_idx'"))
                        .isEqualTo(0L);
                assertThat(next.dsl().fetchValue("select label from ticket_kinds where code = 'bug'")).isEqualTo("Bug");
            }
        }
    }

    /**
     * Schema changes that leave every catalog's row count as it was, or touch catalogs a test
     * rarely thinks of: each is seen, and its database dropped.
     */
    @ParameterizedTest
    @ValueSource(strings = {
        "comment on table tickets is 'changed'",
        "alter table tickets alter column kind set default 'task'",
        "alter table tickets rename column kind to sort",
        "create or replace function recycletest_probe() returns int language sql as 'select 1'",
        "grant insert on ticket_kinds to public",
        "alter table tickets set (fillfactor = 50)",
        "alter sequence tickets_n_seq restart with 7",
        "truncate tickets",
        "create temporary table scratch (x int)",
        "select lo_create(0)",
        "begin; alter table tickets add column extra int; rollback",
        "alter database current set work_mem = '8MB'",
        "comment on database current is 'changed'",
        "alter database current owner to jeex_test_app",
        "alter database current is_template true"})
    void everyKindOfSchemaChangeIsSeenAndTheDatabaseDropped(String change) throws Exception {
        long before = settled();
        String used;
        try (TestDatabase db = own.newDatabase()) {
            used = db.name();
            writeRows(db.dsl());
            try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                    Statement s = c.createStatement()) {
                s.execute(change.replace("database current", "database " + used));
            }
        }
        assertThat(settled()).as("not recycled").isEqualTo(before);
        assertThat(databaseExists(used)).as("dropped").isFalse();
    }

    @Test
    void rowsVacuumAndAnalyzeAloneKeepTheDatabaseRecycled() throws Exception {
        long before = settled();
        try (TestDatabase db = own.newDatabase()) {
            for (int i = 0; i < 50; i++) {
                writeRows(db.dsl());
            }
            db.dsl().execute("delete from tickets where n % 2 = 0");
            try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
                    Statement s = c.createStatement()) {
                s.execute("vacuum analyze tickets");
                s.execute("analyze");
                s.execute("select setval('tickets_n_seq', 500)");
            }
        }
        assertThat(settled()).as("recycled").isEqualTo(before + 1);
    }

    @Test
    void parallelTestsEachSeeOnlyTheirOwnRows() throws Exception {
        long before = settled();
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<Long>> seen = new ArrayList<>();
            for (int t = 0; t < 60; t++) {
                seen.add(threads.submit(() -> {
                    try (TestDatabase db = own.newDatabase()) {
                        DSLContext dsl = db.dsl();
                        long before1 = (Long) dsl.fetchValue("select count(*) from projects");
                        for (int i = 0; i < 3; i++) {
                            writeRows(dsl);
                        }
                        return before1 * 1000 + (Long) dsl.fetchValue("select count(*) from projects");
                    }
                }));
            }
            for (Future<Long> f : seen) {
                assertThat(f.get()).as("0 projects before, 3 after").isEqualTo(3L);
            }
        } finally {
            threads.shutdown();
        }
        assertThat(settled()).as("many of the 60 databases were recycled").isGreaterThan(before + 10);
    }

    @Test
    void theSettingTakesTrueOrFalseOnly() {
        assertThat(TestkitSettings.of(Map.of(), Map.of()).recycle()).isFalse();
        assertThat(TestkitSettings.of(Map.of(TestkitSettings.RECYCLE, "TRUE"), Map.of()).recycle()).isTrue();
        assertThat(TestkitSettings.of(Map.of(), Map.of("JEEX_DB_TEST_RECYCLE", "true")).recycle()).isTrue();
        assertThatThrownBy(() -> TestkitSettings.of(Map.of(TestkitSettings.RECYCLE, "yes-please"), Map.of()).recycle())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(TestkitSettings.RECYCLE + " must be true or false");
    }

    /** A user, a project and a ticket; returns the ticket's number. */
    private static long writeRows(DSLContext dsl) {
        UUID user = UUID.randomUUID();
        UUID project = UUID.randomUUID();
        dsl.execute("insert into users (id, email, name) values (?, ?, 'Test')", user, user + "@example.com");
        dsl.execute("insert into projects (id, name, created_by) values (?, 'P', ?)", project, user);
        return (Long) dsl.fetchValue("insert into tickets (project_id, kind) values (?, 'bug') returning n", project);
    }

    private static long writeTicket(DSLContext dsl) {
        return (Long) dsl.fetchValue("insert into tickets (project_id, kind) select id, 'task' from projects limit 1 "
                + "returning n");
    }

    /** @return the number of recycled databases once the background work asked for so far is done */
    private static long settled() throws Exception {
        own.settle();
        return own.recycledDatabases();
    }

    private static boolean databaseExists(String name) throws SQLException {
        try (Connection c = DriverManager.getConnection(own.jdbcUrl("postgres"), adminUser, adminPassword)) {
            return Admin.databaseExists(c, name);
        }
    }
}
