package io.jeex.db.it;

import io.jeex.db.schema.JeexSchema;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jeex.db.JeexDatabase;
import io.jeex.db.JeexDbConfig;
import io.jeex.db.error.PermissionDeniedException;
import io.jeex.db.tx.TxOptions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import org.jooq.Record;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The roles of {@code docker/postgres/initdb/10-roles.sql} on a dedicated server: migrations
 * run as {@code jeex_owner}, the service as {@code jeex_user}, which can do all repository work
 * and nothing else.
 */
class LeastPrivilegeTest {

    private static final String OWNER_PASSWORD = "owner-" + UUID.randomUUID();
    private static final String USER_PASSWORD = "user-" + UUID.randomUUID();

    private static ItServer server;
    private static JeexDatabase db;

    @BeforeAll
    static void startWithTheInitScripts() {
        server = ItServer.startLikeCompose(OWNER_PASSWORD, USER_PASSWORD);
        db = JeexDatabase.create(JeexDbConfig.builder(server.url(ItServer.DATABASE))
                .name("it-roles")
                .user("jeex_user")
                .password(USER_PASSWORD)
                .migrationUser("jeex_owner")
                .migrationPassword(OWNER_PASSWORD)
                .poolSize(1)
                .maxOverflow(3)
                .retryMaxAttempts(1)
                .acquireTimeout(Duration.ofSeconds(10))
                .build());
        db.migrate();
    }

    @AfterAll
    static void stop() {
        if (db != null) {
            db.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void applicationRoleIsNoSuperuserAndCannotCreateRolesOrDatabases() {
        Record role = db.readOnly(tx -> tx.dsl().fetchOne("SELECT current_user, rolsuper, rolcreaterole, rolcreatedb, "
                + "rolbypassrls FROM pg_roles WHERE rolname = current_user"));
        assertThat(role.intoList()).containsExactly("jeex_user", false, false, false, false);
        assertThat(server.queryString(ItServer.DATABASE, "SELECT pg_get_userbyid(datdba) FROM pg_database "
                + "WHERE datname = current_database()")).isEqualTo("jeex_owner");
        assertThat(server.queryString(ItServer.DATABASE, "SELECT string_agg(DISTINCT tableowner, ',') FROM pg_tables "
                + "WHERE schemaname = 'public'")).as("migrations ran as the owner role").isEqualTo("jeex_owner");
    }

    @Test
    void applicationRoleDoesTheWholeRepositoryWorkload() {
        assertThat(Workload.run(db, "least-privilege")).isPositive();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "CREATE TABLE intruder (id int)",
        "ALTER TABLE users ADD COLUMN intruder int",
        "DROP TABLE exports",
        "TRUNCATE users CASCADE",
        "CREATE INDEX intruder_idx ON users (name)",
        "CREATE ROLE intruder",
        "CREATE DATABASE intruder"
    })
    void applicationRoleCannotChangeTheSchemaOrTruncate(String ddl) {
        TxOptions options = TxOptions.named("ddl");
        Runnable attempt = ddl.startsWith("CREATE DATABASE")
                ? () -> db.dsl().execute(ddl) // not allowed inside a transaction block
                : () -> db.transaction(options, tx -> tx.dsl().execute(ddl));

        assertThatThrownBy(attempt::run).isInstanceOf(PermissionDeniedException.class)
                .hasMessageNotContaining(USER_PASSWORD);
    }

    /**
     * Default privileges make every table of jeex_owner writable by jeex_user, Flyway's history table
     * included; the event trigger of 10-roles.sql takes the writes back (a service that could write
     * it could make Flyway skip or repeat migrations). A temporary table is DDL, and session state
     * that a transaction-pooling PgBouncer hands to the next client.
     */
    @ParameterizedTest
    @ValueSource(strings = {
        "DELETE FROM jeex_schema_history",
        "UPDATE jeex_schema_history SET success = false",
        "INSERT INTO jeex_schema_history DEFAULT VALUES",
        "TRUNCATE jeex_schema_history",
        "CREATE TEMPORARY TABLE intruder (id int)",
        "CREATE TEMPORARY TABLE intruder AS SELECT 1 AS one"
    })
    void applicationRoleCannotWriteTheMigrationHistoryOrCreateTemporaryTables(String sql) {
        assertThatThrownBy(() -> db.transaction(TxOptions.named("history"), tx -> tx.dsl().execute(sql)))
                .isInstanceOf(PermissionDeniedException.class)
                .hasMessageNotContaining(USER_PASSWORD);
    }

    @Test
    void applicationRoleReadsTheMigrationHistory() {
        String version = db.readOnly(tx -> tx.dsl().fetchOne(
                "SELECT max(version) FROM jeex_schema_history WHERE success").get(0, String.class));
        assertThat(version).isEqualTo(JeexSchema.latestVersion());
        io.jeex.db.health.HealthReport health = db.health();
        assertThat(health.migrations()).as("the health check read the history as jeex_user: %s", health).isNotNull();
        assertThat(health.migrations().currentVersion()).isEqualTo(JeexSchema.latestVersion());
        assertThat(health.migrations().current()).isTrue();
    }

    @Test
    void aGrantOfWritesOnTheHistoryIsTakenBackAtOnce() throws SQLException {
        String privileges = "SELECT has_table_privilege('jeex_user', 'jeex_schema_history', 'INSERT') || ','"
                + " || has_table_privilege('jeex_user', 'jeex_schema_history', 'DELETE') || ','"
                + " || has_table_privilege('jeex_user', 'jeex_schema_history', 'TRUNCATE') || ','"
                + " || has_table_privilege('jeex_user', 'jeex_schema_history', 'SELECT')";
        assertThat(server.queryString(ItServer.DATABASE, "SELECT has_table_privilege('jeex_user', 'users', 'DELETE')::text"))
                .as("control: the default privileges give jeex_user writes on the owner's tables").isEqualTo("true");
        assertThat(server.queryString(ItServer.DATABASE, privileges)).as("after the migrations").isEqualTo("false,false,false,true");

        try (Connection owner = DriverManager.getConnection(server.url(ItServer.DATABASE), "jeex_owner", OWNER_PASSWORD);
             Statement s = owner.createStatement()) {
            s.execute("GRANT INSERT, DELETE, TRUNCATE ON jeex_schema_history TO jeex_user, PUBLIC");
        }

        assertThat(server.queryString(ItServer.DATABASE, privileges)).isEqualTo("false,false,false,true");
        assertThat(server.queryString(ItServer.DATABASE, "SELECT has_table_privilege('jeex_user', 'users', 'DELETE')::text"))
                .as("the application's tables keep their grants").isEqualTo("true");
    }

    @Test
    void tableOfALaterMigrationIsReachableWithoutAManualGrant() throws SQLException {
        // a later migration, run as the owner role (what Flyway does); no GRANT in it
        try (Connection owner = DriverManager.getConnection(server.url(ItServer.DATABASE), "jeex_owner", OWNER_PASSWORD);
             Statement s = owner.createStatement()) {
            s.execute("CREATE TABLE later_notes (id bigserial PRIMARY KEY, note text NOT NULL)");
            s.execute("CREATE FUNCTION later_note_count() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM later_notes'");
        }

        long count = db.transaction(tx -> {
            tx.dsl().execute("INSERT INTO later_notes (note) VALUES ('first'), ('second')");
            tx.dsl().execute("UPDATE later_notes SET note = 'changed' WHERE note = 'first'");
            tx.dsl().execute("DELETE FROM later_notes WHERE note = 'second'");
            return tx.dsl().fetchOne("SELECT later_note_count()").get(0, Long.class);
        });

        assertThat(count).isEqualTo(1);
        String note = db.readOnly(tx -> tx.dsl().fetchOne("SELECT note FROM later_notes").get(0, String.class));
        assertThat(note).isEqualTo("changed");
    }
}
