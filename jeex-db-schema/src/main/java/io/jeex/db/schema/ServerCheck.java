package io.jeex.db.schema;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/**
 * What a PostgreSQL server offers of what the JEEX schema needs: its major version (18 or newer)
 * and the function {@code uuidv7()}, which every id column defaults to. The testkit, code
 * generation and the runtime ({@code migrate()}, {@code health()}) all check a server with
 * {@link #of(Connection)} and refuse it with the same {@link #problem()} sentence, each adding
 * the setting to change in its own words.
 *
 * @param version the server's {@code server_version}, for example {@code 18.3}
 * @param versionNum the server's {@code server_version_num}, for example {@code 180003}
 * @param hasUuidv7 whether the function {@code uuidv7()} exists
 */
public record ServerCheck(String version, int versionNum, boolean hasUuidv7) {

    /** The oldest {@code server_version_num} the schema runs on: {@value}, PostgreSQL 18. */
    public static final int MIN_VERSION_NUM = 180000;

    /** One round trip: the version, its number and whether {@code uuidv7()} exists. */
    static final String QUERY = "select current_setting('server_version'), "
            + "current_setting('server_version_num')::int, to_regprocedure('uuidv7()') is not null";

    /**
     * Checks the values.
     *
     * @throws NullPointerException if {@code version} is null
     */
    public ServerCheck {
        requireNonNull(version, "version");
    }

    /**
     * Reads what the server offers, in one query on the given connection.
     *
     * @param connection an open connection to the server
     * @return what was found
     * @throws SQLException if the query fails
     * @throws NullPointerException if {@code connection} is null
     */
    public static ServerCheck of(Connection connection) throws SQLException {
        requireNonNull(connection, "connection");
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(QUERY)) {
            rs.next();
            return new ServerCheck(rs.getString(1), rs.getInt(2), rs.getBoolean(3));
        }
    }

    /** @return whether the schema can be applied on this server */
    public boolean supported() {
        return versionNum >= MIN_VERSION_NUM && hasUuidv7;
    }

    /**
     * The reason the server cannot hold the schema, in one sentence without a fix (the caller
     * names the setting to change): "PostgreSQL 18 or newer is required (the schema uses
     * uuidv7()), but the server is PostgreSQL 15.18".
     *
     * @return the reason, empty when {@link #supported()}
     */
    public Optional<String> problem() {
        if (versionNum < MIN_VERSION_NUM) {
            return Optional.of("PostgreSQL 18 or newer is required (the schema uses uuidv7()), but the server is "
                    + "PostgreSQL " + version);
        }
        if (!hasUuidv7) {
            return Optional.of("the server (PostgreSQL " + version + ") has no function uuidv7(), which the schema "
                    + "uses for its ids (PostgreSQL 18 has it built in)");
        }
        return Optional.empty();
    }
}
