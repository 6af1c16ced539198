package io.jeex.db;

import io.jeex.db.schema.JdbcUrlMask;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.util.Locale;
import javax.net.ssl.SSLException;

/**
 * Words for a failure to open a connection: what happened, its SQLSTATE or network cause first,
 * then the setting to change. Classified by the SQLSTATE and the exception types pgjdbc puts in
 * the cause chain, so that a refused login is never reported as "did not answer".
 */
final class ConnectFailures {

    /** Which settings a connection was opened with, by their environment variables. */
    public enum Settings {
        /** The pool's: JEEX_DB_URL, JEEX_DB_USER, JEEX_DB_PASSWORD. */
        PRIMARY("JEEX_DB_URL", "JEEX_DB_USER", "JEEX_DB_PASSWORD or JEEX_DB_PASSWORD_FILE"),
        /** The migrations': JEEX_DB_MIGRATION_*, each defaulting to the primary one. */
        MIGRATION("JEEX_DB_MIGRATION_URL (or JEEX_DB_URL when that is unset)",
                "JEEX_DB_MIGRATION_USER (or JEEX_DB_USER when that is unset)",
                "JEEX_DB_MIGRATION_PASSWORD or JEEX_DB_MIGRATION_PASSWORD_FILE (or JEEX_DB_PASSWORD / "
                        + "JEEX_DB_PASSWORD_FILE when both are unset)"),
        /** The read replica's: JEEX_DB_REPLICA_URL with the primary's credentials. */
        REPLICA("JEEX_DB_REPLICA_URL", "JEEX_DB_USER", "JEEX_DB_PASSWORD or JEEX_DB_PASSWORD_FILE");

        private final String url;
        private final String user;
        private final String password;

        Settings(String url, String user, String password) {
            this.url = url;
            this.user = user;
            this.password = password;
        }
    }

    /** What kind of failure: a refused login is not retried and has its own exception type. */
    public enum Kind {
        /** The server answered and refused the login (SQLSTATE class 28, or no password given). */
        LOGIN_REFUSED,
        /** Anything else: the server was not reached, or refused the connection for another reason. */
        UNAVAILABLE
    }

    /**
     * A described failure.
     *
     * @param kind what kind
     * @param message headline, cause (SQLSTATE or network) and the setting to change
     */
    public record Described(Kind kind, String message) {
    }

    private ConnectFailures() {
    }

    /**
     * Describes a failure to open a connection.
     *
     * @param failure what the driver threw
     * @param settings the settings the connection was opened with
     * @param timeoutSeconds the connect timeout that bounded it
     * @return the kind and the words
     */
    public static Described describe(Throwable failure, Settings settings, int timeoutSeconds) {
        String state = SqlStates.sqlState(failure);
        String cause = cause(failure, state);
        String text = cause.toLowerCase(Locale.ROOT);
        // PgBouncer refuses a login with 08P01 and "SASL authentication failed"
        if (state != null && state.startsWith("28") || text.contains("authentication failed")) {
            if (text.contains("pg_hba.conf")) {
                return login("the database refused the connection", cause, "no pg_hba.conf line admits this user, "
                        + "database and host (or TLS mode): check " + settings.user + ", the database and sslmode in "
                        + settings.url + ", and the server's pg_hba.conf");
            }
            return login("the database refused the login", cause, "check " + settings.password + " and "
                    + settings.user);
        }
        if (text.contains("no password was provided")) {
            return login("the database asks for a password, but none was given", cause, "set " + settings.password
                    + ", and " + settings.user + " (without it the driver logs in as the operating-system user)");
        }
        if ("3D000".equals(state)) {
            return unavailable("the database does not exist", cause, "check the database name in " + settings.url);
        }
        if (text.contains("does not support ssl")) {
            return unavailable("the server does not offer TLS, but the URL requires it", cause, "enable TLS on the "
                    + "server, or change sslmode in " + settings.url);
        }
        if (SqlStates.find(failure, SSLException.class) != null) {
            return unavailable("TLS failed", cause, "check sslmode, sslrootcert and the host name in " + settings.url
                    + " against the server's certificate");
        }
        if (SqlStates.find(failure, UnknownHostException.class) != null) {
            return unavailable("the database host is unknown", cause, "check the host name in " + settings.url);
        }
        if (SqlStates.find(failure, ConnectException.class) != null
                || SqlStates.find(failure, NoRouteToHostException.class) != null) {
            return unavailable("the database did not answer: the connection was refused", cause, "check the host "
                    + "and port in " + settings.url + " and that PostgreSQL runs there");
        }
        if (SqlStates.find(failure, SocketTimeoutException.class) != null || text.contains("timed out")) {
            return unavailable("the database did not answer within the connect timeout (" + timeoutSeconds + " s)",
                    cause, "check the host and port in " + settings.url + " and the network, or raise "
                            + "JEEX_DB_CONNECT_TIMEOUT");
        }
        return unavailable("the database could not be reached", cause, "check " + settings.url + ", "
                + settings.user + " and " + settings.password);
    }

    private static Described login(String headline, String cause, String fix) {
        return new Described(Kind.LOGIN_REFUSED, headline + " (" + cause + "): " + fix);
    }

    private static Described unavailable(String headline, String cause, String fix) {
        return new Described(Kind.UNAVAILABLE, headline + " (" + cause + "): " + fix);
    }

    /** The SQLSTATE and the first line of the driver's message; pgjdbc's messages hold no password. */
    private static String cause(Throwable failure, String state) {
        SQLException sql = SqlStates.find(failure, SQLException.class);
        Throwable t = sql != null ? sql : failure;
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        int newline = message.indexOf('\n');
        if (newline >= 0) {
            message = message.substring(0, newline);
        }
        message = JdbcUrlMask.mask(message.strip());
        if (message.endsWith(".")) {
            message = message.substring(0, message.length() - 1);
        }
        return (state == null ? "" : "SQLSTATE " + state + ", ") + message;
    }
}
