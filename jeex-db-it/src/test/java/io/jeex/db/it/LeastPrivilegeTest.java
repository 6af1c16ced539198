package io.jeex.db.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jeex.db.JeexDatabase;
import io.jeex.db.JeexDbConfig;
import io.jeex.db.error.PermissionDeniedException;
import io.jeex.db.error.RowSecurityException;
import io.jeex.db.repository.Project;
import io.jeex.db.repository.Repositories;
import io.jeex.db.repository.User;
import io.jeex.db.schema.JeexSchema;
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
 * and system mode run as {@code jeex_owner} (BYPASSRLS), the service as {@code jeex_user}, which
 * can do all repository work under the row-level security policies and nothing else: it can
 * neither switch the policies off nor bypass them.
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
                .credentials(c -> c.withMigrationUser("jeex_owner")
                .withMigrationPassword(OWNER_PASSWORD))
                .poolSize(1)
                .pool(p -> p.withMaxOverflow(3))
                .retry(r -> r.withMaxAttempts(1))
                .pool(p -> p.withAcquireTimeout(Duration.ofSeconds(10)))
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
    void theOwnerBypassesRowLevelSecurityForSystemModeTheApplicationRoleIsSubjectToItAndMemberOfNothing() {
        assertThat(server.queryString(ItServer.DATABASE, "SELECT string_agg(rolname || ':' || rolsuper || ':' "
                + "|| rolbypassrls, ',' ORDER BY rolname) FROM pg_roles WHERE rolname IN ('jeex_owner', 'jeex_user')"))
                .isEqualTo("jeex_owner:false:true,jeex_user:false:false");
        assertThat(server.queryString(ItServer.DATABASE, "SELECT count(*) FROM pg_auth_members "
                + "WHERE member = 'jeex_user'::regrole")).as("roles jeex_user could SET ROLE to").isEqualTo("0");

        User ada = db.actingAsNewUser().users().create("ada-" + UUID.randomUUID() + "@example.com", "Ada");
        Project adas = db.actingAs(ada.id()).projects().create(ada.id(), "Ada's", "en");
        Repositories asBob = db.actingAsNewUser();
        User bob = asBob.users().create("bob-" + UUID.randomUUID() + "@example.com", "Bob");
        assertThat(asBob.projects().byId(adas.id())).as("Ada's project, for Bob").isEmpty();
        assertThat(db.system().users().byEmail(ada.email())).as("system mode, as jeex_owner").contains(ada);
        assertThat(db.system().projects().byId(adas.id())).isPresent();
        assertThatThrownBy(() -> asBob.projects().create(ada.id(), "For Ada", "en"))
                .isInstanceOf(RowSecurityException.class);
        assertThat(bob.id()).isNotEqualTo(ada.id());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "ALTER TABLE projects DISABLE ROW LEVEL SECURITY",
        "ALTER TABLE users NO FORCE ROW LEVEL SECURITY",
        "DROP POLICY users_self ON users",
        "CREATE POLICY everything ON projects USING (true)",
        "ALTER POLICY projects_owner ON projects USING (true)",
        "SET ROLE jeex_owner",
        "SET SESSION AUTHORIZATION jeex_owner",
        "ALTER ROLE jeex_user BYPASSRLS",
        "GRANT jeex_owner TO jeex_user"
    })
    void applicationRoleCannotSwitchThePoliciesOffNorBecomeARoleThatBypassesThem(String sql) {
        assertThatThrownBy(() -> db.transaction(TxOptions.named("bypass"), tx -> tx.dsl().execute(sql)))
                .isInstanceOf(PermissionDeniedException.class).isNotInstanceOf(RowSecurityException.class)
                .hasMessageNotContaining(USER_PASSWORD);
    }

    @Test
    void applicationRoleCannotReadPastThePoliciesWithRowSecurityOff() {
        assertThatThrownBy(() -> db.transaction(TxOptions.named("row_security_off"), tx -> {
            tx.dsl().execute("SET LOCAL row_security = off");
            return tx.dsl().fetchCount(io.jeex.db.codegen.Tables.USERS);
        })).isInstanceOf(RowSecurityException.class).hasMessageContaining("row_security");
    }

    /**
     * The policies trust {@code jeex.acting_user_id}, which any SQL of the session can set: the
     * honest guarantee (README, "Row-level security") is that only the transaction's acting user
     * opens rows, that it ends with the transaction, and that nothing else (no role, no attribute)
     * lets the application role past the policies.
     */
    @Test
    void theOnlyWayToReachAUsersRowsIsTheTransactionsActingUserWhichEndsWithIt() {
        User ada = db.actingAsNewUser().users().create("ada-" + UUID.randomUUID() + "@example.com", "Ada");
        long total = Long.parseLong(server.queryString(ItServer.DATABASE, "SELECT count(*) FROM users"));
        assertThat(total).as("rows the owner sees").isPositive();

        assertThat(db.<Integer>readOnly(tx -> tx.dsl().fetchCount(io.jeex.db.codegen.Tables.USERS)))
                .as("no acting user: nothing").isZero();
        assertThat(db.<Integer>readOnly(TxOptions.named("as_ada").withActingUser(ada.id()),
                tx -> tx.dsl().fetchCount(io.jeex.db.codegen.Tables.USERS))).as("acting as Ada: her row").isOne();
        String after = db.transaction(tx -> tx.dsl().fetchOne(
                "SELECT coalesce(current_setting('jeex.acting_user_id', true), '')").get(0, String.class));
        assertThat(after).as("after the transaction, on the pool's connection").isEmpty();
    }

    /**
     * The init script's default privileges grant jeex_user every table jeex_owner creates, the
     * partitions of agent_executions included; V5 and the maintenance take them back, so the
     * application reaches the executions through agent_executions (and its policy) only.
     */
    @Test
    void applicationRoleReachesAgentExecutionsButNoPartitionDirectly() {
        db.maintainPartitions();
        java.util.List<String> partitions = java.util.Arrays.asList(server.queryString(ItServer.DATABASE,
                "SELECT string_agg(inhrelid::regclass::text, ',') FROM pg_inherits "
                        + "WHERE inhparent = 'agent_executions'::regclass").split(","));
        assertThat(partitions).contains("agent_executions_default").hasSizeGreaterThan(4);
        assertThat(db.<Integer>readOnly(tx -> tx.dsl().fetchCount(io.jeex.db.codegen.Tables.AGENT_EXECUTIONS)))
                .as("through the parent, under the policy").isZero();
        for (String partition : partitions) {
            assertThatThrownBy(() -> db.readOnly(tx -> tx.dsl().fetch("SELECT count(*) FROM " + partition)))
                    .as(partition).isInstanceOf(PermissionDeniedException.class);
        }
        assertThat(server.queryString(ItServer.DATABASE, "SELECT has_table_privilege('jeex_user', "
                + "'agent_executions', 'INSERT')")).isEqualTo("t");
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
