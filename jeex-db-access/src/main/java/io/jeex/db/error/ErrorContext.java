package io.jeex.db.error;

/**
 * Where an error came from, as far as PostgreSQL and the transaction runner know it.
 *
 * @param sqlState the five-character SQLSTATE, or null when the error did not come from the
 *     server (for example a row that was not found)
 * @param constraint the violated constraint's name, or null
 * @param table the table involved, or null
 * @param column the column involved (not-null violations), or null
 * @param attempts how many times the transaction ran before giving up; at least 1
 */
public record ErrorContext(String sqlState, String constraint, String table, String column, int attempts)
        implements java.io.Serializable {

    /**
     * Validates the attempt count.
     *
     * @throws IllegalArgumentException if {@code attempts} is less than 1
     */
    public ErrorContext {
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be at least 1, but was " + attempts);
        }
    }

    /**
     * Returns a context naming only a table, for errors found by the library rather than the
     * server (not found, concurrent update).
     *
     * @param table the table, or null
     * @return a context with one attempt and no SQLSTATE
     */
    public static ErrorContext ofTable(String table) {
        return new ErrorContext(null, null, table, null, 1);
    }
}
