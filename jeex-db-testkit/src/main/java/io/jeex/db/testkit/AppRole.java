package io.jeex.db.testkit;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The application role of the test databases: a login role that is no superuser and has no
 * BYPASSRLS, so row-level security restricts it as it restricts {@code jeex_user} in production
 * ({@code docker/postgres/initdb/10-roles.sql}). It may read and write the rows of every table of the
 * migrated template (and of tables created later in a clone), nothing more: no DDL, no writes to the
 * migration history.
 *
 * <p>One role per server (roles are cluster-wide). Its password is derived from the server's admin
 * password (HMAC-SHA256), so every JVM that shares an external server computes the same one without
 * storing it anywhere.
 */
final class AppRole {

    /** The role's name. */
    static final String NAME = "jeex_test_app";

    private AppRole() {
    }

    /**
     * @param adminPassword the server's admin password (may be empty)
     * @return the application role's password
     */
    static String password(String adminPassword) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            byte[] key = ("jeex-db testkit:" + adminPassword).getBytes(StandardCharsets.UTF_8);
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(NAME.getBytes(StandardCharsets.UTF_8)), 0, 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required of every Java platform", e);
        }
    }

    /**
     * Creates the role, or sets its attributes and password again when it exists (idempotent, and
     * safe when another JVM does the same at the same time).
     *
     * @param admin a connection of the admin user
     * @param password the role's password
     * @throws SQLException if the admin user may not create roles
     */
    static void ensure(Connection admin, String password) throws SQLException {
        String attributes = " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD "
                + literal(password);
        try {
            Admin.execute(admin, "DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '" + NAME
                    + "') THEN CREATE ROLE " + NAME + attributes + "; END IF; END$$");
        } catch (SQLException e) {
            // created meanwhile by another JVM (42710, or 23505 from the catalog's index): altered below
            if (!"42710".equals(e.getSQLState()) && !"23505".equals(e.getSQLState())) {
                throw e;
            }
        }
        Admin.execute(admin, "ALTER ROLE " + NAME + attributes);
    }

    /**
     * Grants the role row access in one schema of a database, as {@code 10-roles.sql} does for
     * {@code jeex_user}: on every table and sequence of the schema, and by default on those the
     * admin user creates there later; the schema's migration history stays read-only.
     *
     * @param database a connection of the admin user to the database
     * @param schema the schema (a validated lower-case identifier)
     * @param historyTable the migration history table in that schema (a validated identifier)
     * @throws SQLException if a grant fails
     */
    static void grant(Connection database, String schema, String historyTable) throws SQLException {
        Admin.execute(database, "GRANT USAGE ON SCHEMA " + schema + " TO " + NAME);
        Admin.execute(database, "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA " + schema + " TO " + NAME);
        Admin.execute(database, "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA " + schema + " TO " + NAME);
        // as in a deployment, the application reaches a partitioned table through its parent only
        // (migration V5): ON ALL TABLES granted the partitions too
        Admin.execute(database, "DO $$DECLARE p regclass; BEGIN FOR p IN SELECT c.oid::regclass FROM pg_class c "
                + "WHERE c.relnamespace = '" + schema + "'::regnamespace AND c.relispartition AND c.relkind IN ('r', 'p') LOOP "
                + "EXECUTE format('REVOKE ALL ON TABLE %s FROM " + NAME + "', p); END LOOP; END$$");
        Admin.execute(database, "ALTER DEFAULT PRIVILEGES IN SCHEMA " + schema + " GRANT SELECT, INSERT, UPDATE, "
                + "DELETE ON TABLES TO " + NAME);
        Admin.execute(database, "ALTER DEFAULT PRIVILEGES IN SCHEMA " + schema + " GRANT USAGE, SELECT ON SEQUENCES TO "
                + NAME);
        Admin.execute(database, "DO $$BEGIN IF to_regclass('" + schema + "." + historyTable + "') IS NOT NULL THEN "
                + "REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON " + schema + "." + historyTable + " FROM " + NAME
                + "; END IF; END$$");
    }

    /** The password is hex digits: a plain literal. */
    private static String literal(String hex) {
        return "'" + hex + "'";
    }
}
