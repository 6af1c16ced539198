package io.jeex.db.tx;

/** The isolation levels PostgreSQL implements, set with {@code SET TRANSACTION} inside each transaction. */
public enum IsolationLevel {
    /** Each statement sees the data committed before it began (PostgreSQL's default). */
    READ_COMMITTED("READ COMMITTED"),
    /** The whole transaction sees one snapshot; concurrent updates of the same row fail with 40001. */
    REPEATABLE_READ("REPEATABLE READ"),
    /** Behaves as if transactions ran one after another; conflicts fail with 40001 and are retried. */
    SERIALIZABLE("SERIALIZABLE");

    private final String sql;

    IsolationLevel(String sql) {
        this.sql = sql;
    }

    /** @return the level as written in SQL, for example {@code REPEATABLE READ} */
    public String sql() {
        return sql;
    }
}
