package io.jeex.db.testkit;

/** A running PostgreSQL server on which the testkit creates and drops databases. */
interface PostgresServer extends AutoCloseable {

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
