package io.jeex.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Named restore points ({@code pg_create_restore_point}) before the schema changes: names that say
 * what follows them and when, and the server's refusals in words that name the fix.
 */
final class RestorePoints {

    /** PostgreSQL keeps restore point names below 64 bytes (MAXFNAMELEN). */
    static final int MAX_NAME = 63;
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private RestorePoints() {
    }

    /**
     * @param kind {@code migrate} or {@code rollback}
     * @param from the schema version before, or null for an empty database
     * @param to the version after
     * @param at when
     * @return for example {@code jeex-migrate-2-to-3-20260101T120000.123Z}
     */
    static String name(String kind, String from, String to, Instant at) {
        String name = "jeex-" + kind + "-" + (from == null ? "empty" : from) + "-to-" + to + "-" + STAMP.format(at);
        return name.length() <= MAX_NAME ? name : name.substring(0, MAX_NAME);
    }

    /**
     * Creates the restore point.
     *
     * @param c a connection to the primary
     * @param name its name
     * @return it, with its LSN and the server's time
     * @throws SQLException if the server refuses (see {@link #refusal(SQLException, String)})
     */
    static RestorePoint create(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select pg_create_restore_point(?)::text, clock_timestamp()")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new RestorePoint(name, rs.getString(1), rs.getTimestamp(2).toInstant());
            }
        }
    }

    /**
     * @param e the server's refusal
     * @param user the migration user, for the GRANT to paste
     * @return why and what to do, or null when it is not a refusal of the restore point itself
     *     (a lost connection...)
     */
    static String refusal(SQLException e, String user) {
        String state = e.getSQLState();
        if ("42501".equals(state)) {
            return "the migration user may not create restore points (SQLSTATE 42501): as a superuser, GRANT EXECUTE "
                    + "ON FUNCTION pg_create_restore_point(text) TO " + (user == null ? "<migration user>" : user);
        }
        if ("55000".equals(state)) {
            return "the server cannot create restore points (SQLSTATE 55000, " + firstLine(e.getMessage())
                    + "): set wal_level = replica and archive the WAL, or migrate on the primary";
        }
        return null;
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("").strip();
    }
}
