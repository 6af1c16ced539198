package io.jeex.db.testkit;

import io.jeex.db.schema.JdbcUrlMask;
import io.jeex.db.schema.ServerCheck;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A running PostgreSQL server on which the testkit creates and drops databases, started by
 * {@link #start(ProviderKind, TestkitSettings)} for the provider that {@link ProviderSelection}
 * chose, and checked by {@link #checkVersion(PostgresServer, ProviderKind)}.
 */
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

    /**
     * Starts (or, for {@link ProviderKind#EXTERNAL}, connects to) the provider's server.
     *
     * @throws TestkitException if the provider cannot deliver it, with the fix
     * @throws IllegalArgumentException if a setting is malformed
     */
    static PostgresServer start(ProviderKind kind, TestkitSettings settings) {
        try {
            return switch (kind) {
                case EXTERNAL -> new ExternalServer(settings.externalUrl().orElseThrow(), settings.user(),
                        settings.password());
                case TESTCONTAINERS -> ContainerServer.start(settings.image());
                case EMBEDDED -> EmbeddedServer.start();
            };
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new TestkitException("jeex-db testkit: the " + kind.name().toLowerCase(Locale.ROOT)
                    + " provider could not start PostgreSQL 18: " + e.getMessage() + ". " + fixFor(kind), e);
        }
    }

    /**
     * Checks that the server runs the schema ({@link ServerCheck}).
     *
     * @return its version, for example {@code 18.3}
     * @throws TestkitException if it is too old or cannot be reached, with the fix
     */
    static String checkVersion(PostgresServer server, ProviderKind kind) {
        try (Connection c = new Admin(server).connect()) {
            ServerCheck check = ServerCheck.of(c);
            if (!check.supported()) {
                throw new TestkitException("jeex-db testkit: " + check.problem().orElseThrow() + " ("
                        + server.description() + "). Point " + TestkitSettings.URL + " at a PostgreSQL 18 server, "
                        + "or unset it to use Testcontainers or the embedded server.");
            }
            return check.version();
        } catch (SQLException e) {
            throw new TestkitException("jeex-db testkit: cannot connect to " + server.description() + ": "
                    + e.getMessage() + ". " + fixFor(kind), e);
        }
    }

    /** The fix for a provider that failed: what it needs, or another provider. */
    private static String fixFor(ProviderKind kind) {
        String others = "Or choose a provider with -D" + TestkitSettings.PROVIDER + "=external|testcontainers|embedded.";
        return switch (kind) {
            case EXTERNAL -> "Check that the server at " + TestkitSettings.URL + " runs and accepts "
                    + TestkitSettings.USER + "/" + TestkitSettings.PASSWORD + ". " + others;
            case TESTCONTAINERS -> "Check that the Docker engine runs and can pull "
                    + TestkitSettings.DEFAULT_IMAGE + " (or set " + TestkitSettings.IMAGE + "). " + others;
            case EMBEDDED -> "The embedded binaries need a Linux, macOS or Windows host on which the current user "
                    + "may run postgres (as root: the unshare command, from util-linux). " + others;
        };
    }
}
