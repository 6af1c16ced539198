package io.jeex.db.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

/** Asserts that a statement is rejected by a named constraint of the schema. */
final class Violations {

    private Violations() {
    }

    /** Runs the action and asserts that PostgreSQL rejected it with the SQLSTATE and constraint given. */
    static ServerErrorMessage assertRejected(String sqlState, String constraint, Runnable action) {
        Throwable thrown = catchThrowable(action::run);
        assertThat(thrown).as("expected a violation of %s", constraint).isNotNull();
        PSQLException psql = psql(thrown);
        assertThat((Object) psql).as("a PSQLException in the cause chain of %s", thrown).isNotNull();
        ServerErrorMessage error = psql.getServerErrorMessage();
        assertThat(error).isNotNull();
        assertThat(error.getSQLState()).as("SQLSTATE of: %s", error.getMessage()).isEqualTo(sqlState);
        assertThat(error.getConstraint()).as("constraint of: %s", error.getMessage()).isEqualTo(constraint);
        return error;
    }

    /** Asserts a NOT NULL violation (23502) on the given column. */
    static ServerErrorMessage assertNotNullFails(String column, Runnable action) {
        ServerErrorMessage error = assertRejected("23502", null, action);
        assertThat(error.getColumn()).isEqualTo(column);
        return error;
    }

    static ServerErrorMessage assertCheckFails(String constraint, Runnable action) {
        return assertRejected("23514", constraint, action);
    }

    static PSQLException psql(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            if (t instanceof PSQLException p) {
                return p;
            }
        }
        return null;
    }

}
