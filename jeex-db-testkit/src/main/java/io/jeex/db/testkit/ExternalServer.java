package io.jeex.db.testkit;

import io.jeex.db.schema.JdbcUrlMask;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A PostgreSQL server that runs already; the testkit only creates and drops its own databases there. */
final class ExternalServer implements PostgresServer {

    private static final Pattern DATABASE = Pattern.compile("^jdbc:postgresql://[^/?]*/([^?]+)");

    private final String url;
    private final String user;
    private final String password;

    ExternalServer(String url, String user, String password) {
        this.url = url;
        this.user = user;
        this.password = password;
        PostgresServer.withDatabase(url, "postgres"); // validates the URL's shape now, with a clear message
    }

    @Override
    public String jdbcUrl(String database) {
        return PostgresServer.withDatabase(url, database);
    }

    @Override
    public String adminDatabase() {
        Matcher m = DATABASE.matcher(url);
        return m.find() ? m.group(1) : "postgres";
    }

    @Override
    public String user() {
        return user;
    }

    @Override
    public String password() {
        return password;
    }

    @Override
    public String description() {
        return "external server " + JdbcUrlMask.mask(url) + " as " + user;
    }

    @Override
    public void close() {
        // not ours to stop
    }
}
