package io.jeex.db.testkit;

import io.jeex.db.schema.JdbcUrlMask;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A running PostgreSQL server on which the testkit creates and drops databases. */
interface PostgresServer extends AutoCloseable {

    /** A PostgreSQL JDBC URL: hosts, database, parameters. */
    Pattern URL = Pattern.compile("^(jdbc:postgresql://[^/?]*)(/[^?]*)?(\\?.*)?$");

    /**
     * Returns the URL with its database replaced, keeping hosts and parameters.
     *
     * @throws IllegalArgumentException if it is no PostgreSQL JDBC URL, naming the setting
     */
    static String withDatabase(String jdbcUrl, String database) {
        Matcher m = URL.matcher(jdbcUrl);
        if (!m.matches()) {
            throw new IllegalArgumentException(TestkitSettings.URL
                    + " must be a PostgreSQL JDBC URL like jdbc:postgresql://host:5432/postgres, but was '"
                    + JdbcUrlMask.mask(jdbcUrl) + "'");
        }
        return m.group(1) + "/" + database + (m.group(3) == null ? "" : m.group(3));
    }

    /** JDBC URL of a database on this server. */
    String jdbcUrl(String database);

    /** The database to connect to for CREATE/DROP DATABASE. */
    String adminDatabase();

    /** A user allowed to create databases. */
    String user();

    /** That user's password; never logged. */
    String password();

    /** A short description for logs, without secrets. */
    String description();

    /** Stops the server if the testkit started it; does nothing for an external one. */
    @Override
    void close();
}
