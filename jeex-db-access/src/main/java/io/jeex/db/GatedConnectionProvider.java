package io.jeex.db;

import java.sql.Connection;
import java.sql.SQLException;
import org.jooq.ConnectionProvider;
import org.jooq.exception.DataAccessException;

/**
 * Connections of {@code JeexDatabase.dsl()}: from the primary pool through its {@link Acquirer}
 * (so they fail at once while the server cannot be reached), refused once the handle is closing.
 */
final class GatedConnectionProvider implements ConnectionProvider {

    private final Acquirer acquirer;
    private final Lifecycle lifecycle;

    GatedConnectionProvider(Acquirer acquirer, Lifecycle lifecycle) {
        this.acquirer = acquirer;
        this.lifecycle = lifecycle;
    }

    @Override
    public Connection acquire() {
        if (lifecycle.closing()) {
            throw lifecycle.closedError();
        }
        try {
            return acquirer.acquire();
        } catch (SQLException e) {
            throw new DataAccessException("borrowing a connection failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void release(Connection connection) {
        try {
            connection.close();
        } catch (SQLException e) {
            throw new DataAccessException("returning a connection to the pool failed", e);
        }
    }
}
