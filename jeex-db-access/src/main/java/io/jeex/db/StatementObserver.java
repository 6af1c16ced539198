package io.jeex.db;

/**
 * Sees every statement that the library runs with plain JDBC (query metrics, slow-query log,
 * observations): told when it starts and when it ended.
 */
interface StatementObserver {

    /** Observes nothing. */
    StatementObserver NONE = new StatementObserver() {
        @Override
        public Object begin(String sql, int shape) {
            return null;
        }

        @Override
        public void end(Object token, String sql, int shape, long nanos, Throwable failure) {
            // nothing
        }
    };

    /**
     * @param sql the statement's SQL with {@code ?} placeholders (never bind values)
     * @param shape its operation and table ({@link SqlShape})
     * @return what {@link #end} receives (for example a running observation), or null
     */
    Object begin(String sql, int shape);

    /**
     * @param token what {@link #begin} returned
     * @param sql the statement's SQL with {@code ?} placeholders (never bind values)
     * @param shape its operation and table ({@link SqlShape})
     * @param nanos how long it ran, fetching included
     * @param failure why it failed, or null
     */
    void end(Object token, String sql, int shape, long nanos, Throwable failure);
}
