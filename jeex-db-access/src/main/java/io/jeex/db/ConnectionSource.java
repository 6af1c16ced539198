package io.jeex.db;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Where a route of the transaction runner gets its connections: a pool ({@link Acquirer}), or a
 * new direct connection per transaction (system mode, {@link DirectDataSource}).
 */
@FunctionalInterface
interface ConnectionSource {

    /**
     * @return a connection for one attempt; closing it returns or closes it
     * @throws SQLException when none can be had
     */
    Connection acquire() throws SQLException;
}
