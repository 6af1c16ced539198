package io.jeex.db.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jeex.db.JeexDatabase;
import io.jeex.db.JeexDbConfig;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code docker/postgres/initdb/20-passwords.sh} run for real (bash and psql, as the image's
 * entrypoint runs it) against PostgreSQL 18 with the settings of {@code postgresql.conf}, which
 * log every DDL statement ({@code log_statement = 'ddl'}) and preload pg_stat_statements: the
 * passwords reach neither the server log nor the statistics, and they are exactly the passwords
 * the library reads from the same files (one trailing line break removed, nothing else).
 */
class InitScriptsTest {

    private static final String OWNER_SECRET = UUID.randomUUID().toString();
    private static final String USER_SECRET = UUID.randomUUID().toString();
    /** A quote and a space: psql must quote it. */
    private static final String OWNER_PASSWORD = "own'er " + OWNER_SECRET;
    /** Ends with a line break of its own: a script that strips every CR/LF would set another password. */
    private static final String USER_PASSWORD = "user-" + USER_SECRET + "\n";

    private static ItServer server;

    @BeforeAll
    static void start() {
        server = ItServer.startLikeCompose(new ItServer.Setup(OWNER_PASSWORD + "\r\n", USER_PASSWORD + "\n",
                ItServer.SCRAM_HBA, Map.of(), dir -> { }));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void passwordsNeverReachTheServerLog() {
        // control: the same statement without the script's precautions is logged with its password
        String control = "control-" + UUID.randomUUID();
        server.execute(ItServer.DATABASE, "CREATE ROLE jeex_log_control");
        server.execute(ItServer.DATABASE, "ALTER ROLE jeex_log_control PASSWORD '" + control + "'");

        String log = server.serverLogUpToNow();

        assertThat(log).as("DDL of 10-roles.sql is logged (log_statement = 'ddl')")
                .contains("statement: REVOKE ALL ON SCHEMA public FROM PUBLIC")
                .as("the control ALTER ROLE is logged with its password").contains(control);
        assertThat(log).as("the server log").doesNotContain(OWNER_SECRET).doesNotContain(USER_SECRET);
    }

    @Test
    void passwordsNeverReachStatementStatistics() throws SQLException {
        server.execute(ItServer.DATABASE, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        String control = "control-" + UUID.randomUUID();
        server.execute(ItServer.DATABASE, "CREATE ROLE jeex_stats_control");
        server.execute(ItServer.DATABASE, "ALTER ROLE jeex_stats_control PASSWORD '" + control + "'");

        List<String> queries = new ArrayList<>();
        try (Connection c = server.admin(ItServer.DATABASE); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT query FROM pg_stat_statements")) {
            while (rs.next()) {
                queries.add(rs.getString(1));
            }
        }

        assertThat(queries).as("control: pg_stat_statements keeps an ALTER ROLE with its password")
                .anyMatch(q -> q.contains(control));
        assertThat(queries).noneMatch(q -> q.contains(OWNER_SECRET) || q.contains(USER_SECRET));
    }

    @Test
    void rolesLogInWithThePasswordsTheLibraryReadsFromTheSameFiles() {
        assertThat(ItServer.read(server.passwordFile("jeex_owner"))).endsWith(OWNER_SECRET + "\r\n");
        assertThat(ItServer.read(server.passwordFile("jeex_user"))).endsWith(USER_SECRET + "\n\n");
        JeexDbConfig config = JeexDbConfig.fromEnvironment(Map.of(
                "JEEX_DB_URL", server.url(ItServer.DATABASE),
                "JEEX_DB_USER", "jeex_user",
                "JEEX_DB_PASSWORD_FILE", server.passwordFile("jeex_user").toString(),
                "JEEX_DB_MIGRATION_USER", "jeex_owner",
                "JEEX_DB_MIGRATION_PASSWORD_FILE", server.passwordFile("jeex_owner").toString(),
                "JEEX_DB_POOL_SIZE", "1",
                "JEEX_DB_POOL_MAX_OVERFLOW", "1",
                "JEEX_DB_RETRY_MAX_ATTEMPTS", "1"));

        try (JeexDatabase db = JeexDatabase.create(config)) {
            db.migrate();
            String who = db.readOnly(tx -> tx.dsl().fetchOne("SELECT current_user").get(0, String.class));
            assertThat(who).isEqualTo("jeex_user");
        }
        assertThat(server.queryString(ItServer.DATABASE, "SELECT string_agg(DISTINCT installed_by, ',') "
                + "FROM jeex_schema_history")).as("migrated as the owner, with its password").isEqualTo("jeex_owner");
    }

    @Test
    void pgBouncerAuthFileHoldsTheScramSecretNotThePassword() {
        String userlist = server.pgBouncerUserlist();

        assertThat(userlist).matches("\"jeex_user\" \"SCRAM-SHA-256\\$4096:[^\"]+\"\\n")
                .doesNotContain(USER_SECRET).doesNotContain("jeex_owner");
    }
}
