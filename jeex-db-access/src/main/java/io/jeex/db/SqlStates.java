package io.jeex.db;

import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/**
 * Classifies failures by the SQLSTATEs in their whole cause chain: jOOQ wraps the driver's
 * {@link SQLException} in its {@code DataAccessException}, callers wrap in their own, so the
 * state is rarely on the outermost exception.
 */
final class SqlStates {

    private static final Set<String> CONNECTION_STATES = Set.of("57P01", "57P02", "57P03");
    private static final Set<String> ROW_SECURITY_ROUTINES = Set.of("ExecWithCheckOptions", "check_enable_rls");

    private SqlStates() {
    }

    /**
     * Classifies a failure that came from the database (the pool, the driver or the server; the
     * caller decides that by origin, never this method by type): by the first SQLSTATE in its
     * cause chain; without one, a pool timeout, an I/O failure of the driver (a lost
     * connection), or {@link Category#OTHER_SQL}.
     *
     * @param failure a failure of the database
     * @return its category; never {@link Category#WORK_EXCEPTION} or {@link Category#CLOSED}
     */
    public static Category classify(Throwable failure) {
        String state = sqlState(failure);
        boolean poolTimeout = find(failure, SQLTransientConnectionException.class) != null;
        if (state == null) {
            if (poolTimeout) {
                return Category.POOL_TIMEOUT;
            }
            return find(failure, IOException.class) != null ? Category.CONNECTION_FAILURE : Category.OTHER_SQL;
        }
        if (isConnectionState(state)) {
            return Category.CONNECTION_FAILURE;
        }
        if (state.startsWith("28")) {
            return Category.AUTHENTICATION_FAILED; // permanent until the configuration changes: never retried
        }
        if (poolTimeout) {
            return Category.POOL_TIMEOUT;
        }
        return switch (state) {
            case "23505" -> Category.UNIQUE_VIOLATION;
            case "23503" -> Category.FOREIGN_KEY_VIOLATION;
            case "23514" -> Category.CHECK_VIOLATION;
            case "23502" -> Category.NOT_NULL_VIOLATION;
            case "40001" -> Category.SERIALIZATION_FAILURE;
            case "40P01" -> Category.DEADLOCK;
            case "55P03" -> Category.LOCK_NOT_AVAILABLE;
            case "57014" -> Category.STATEMENT_TIMEOUT;
            case "25006" -> Category.NOT_PRIMARY; // a read-only transaction's own write: AttemptExecutor
            case "42501" -> rowSecurity(failure) ? Category.ROW_SECURITY : Category.PERMISSION_DENIED;
            default -> state.startsWith("23") ? Category.OTHER_CONSTRAINT_VIOLATION : Category.OTHER_SQL;
        };
    }

    /**
     * Whether a 42501 came from a row-level security policy rather than a missing privilege: the
     * server's routine (not translated, unlike the message) is the one that checks policies'
     * WITH CHECK expressions ({@code ExecWithCheckOptions}) or refuses a query with
     * {@code row_security} off ({@code check_enable_rls}); without a routine, the message says so.
     *
     * @param failure a failure with SQLSTATE 42501
     * @return whether a policy raised it
     */
    static boolean rowSecurity(Throwable failure) {
        ServerErrorMessage server = serverError(failure);
        if (server == null) {
            return false;
        }
        String routine = server.getRoutine();
        if (routine != null) {
            return ROW_SECURITY_ROUTINES.contains(routine);
        }
        return server.getMessage() != null && server.getMessage().contains("row-level security");
    }

    /**
     * @param state a SQLSTATE
     * @return whether it says the connection failed or the server cannot serve: class 08,
     *     class 53 (insufficient resources, 53300 too many connections), 57P01-57P03 (shutdown)
     */
    public static boolean isConnectionState(String state) {
        return state.startsWith("08") || state.startsWith("53") || CONNECTION_STATES.contains(state);
    }

    /**
     * @param failure any throwable
     * @return the first SQLSTATE found walking the cause chain, or null
     */
    public static String sqlState(Throwable failure) {
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        for (Throwable t = failure; t != null && seen.put(t, Boolean.TRUE) == null; t = t.getCause()) {
            if (t instanceof SQLException e && e.getSQLState() != null) {
                return e.getSQLState();
            }
        }
        return null;
    }

    /**
     * @param failure any throwable
     * @return PostgreSQL's structured error of the first {@link PSQLException} in the chain, or null
     */
    public static ServerErrorMessage serverError(Throwable failure) {
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        for (Throwable t = failure; t != null && seen.put(t, Boolean.TRUE) == null; t = t.getCause()) {
            if (t instanceof PSQLException e && e.getServerErrorMessage() != null) {
                return e.getServerErrorMessage();
            }
        }
        return null;
    }

    /**
     * @param <T> the type looked for
     * @param failure any throwable
     * @param type the type looked for
     * @return the first throwable of that type in the chain, or null
     */
    public static <T extends Throwable> T find(Throwable failure, Class<T> type) {
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        for (Throwable t = failure; t != null && seen.put(t, Boolean.TRUE) == null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
