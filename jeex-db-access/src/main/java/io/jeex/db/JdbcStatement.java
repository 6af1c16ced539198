package io.jeex.db;

import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * Binds and executes one prepared statement and reads its result.
 *
 * @param <T> the result type
 */
@FunctionalInterface
interface JdbcStatement<T> {

    /**
     * @param statement the prepared statement, to bind and execute
     * @return the result
     * @throws SQLException from the driver
     */
    T run(PreparedStatement statement) throws SQLException;
}
