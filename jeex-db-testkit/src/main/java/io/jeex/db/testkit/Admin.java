package io.jeex.db.testkit;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Properties;

/** CREATE / DROP DATABASE and friends, over short-lived connections to the server's admin database. */
final class Admin {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final PostgresServer server;

    Admin(PostgresServer server) {
        this.server = server;
    }

    Connection connect(String database) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", server.user());
        props.setProperty("password", server.password());
        props.setProperty("ApplicationName", "jeex-db-testkit");
        props.setProperty("connectTimeout", "10");
        return DriverManager.getConnection(server.jdbcUrl(database), props);
    }

    Connection connect() throws SQLException {
        return connect(server.adminDatabase());
    }

    /** @return {@code bytes} random bytes in hex: the unique part of a database's name */
    static String randomSuffix(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** Quotes an identifier; the testkit only makes names of [a-z0-9_], this guards the rest. */
    static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    static void execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** Terminates every other session connected to the database; cloning and dropping need none. */
    static void terminateConnections(Connection c, String database) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid()")) {
            ps.setString(1, database);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    // drain: one row per terminated session
                }
            }
        }
    }

    static boolean databaseExists(Connection c, String database) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            ps.setString(1, database);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    void createEmpty(String database) throws SQLException {
        try (Connection c = connect()) {
            execute(c, "CREATE DATABASE " + quote(database));
        }
    }

    void createFromTemplate(String database, String template) throws SQLException {
        try (Connection c = connect()) {
            terminateConnections(c, template);
            execute(c, "CREATE DATABASE " + quote(database) + " TEMPLATE " + quote(template));
        }
    }

    void drop(String database) throws SQLException {
        try (Connection c = connect()) {
            terminateConnections(c, database);
            execute(c, "DROP DATABASE IF EXISTS " + quote(database) + " WITH (FORCE)");
        }
    }
}
