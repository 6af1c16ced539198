package io.jeex.db.internal.tx;

import java.util.UUID;

/**
 * The SQL that makes a user the acting user of a transaction, read by {@code jeex_acting_user_id()}
 * (migration V2) and the row-level security policies (V3). Always transaction-scoped, so nothing
 * outlives the transaction on a pooled connection or behind PgBouncer. A UUID's text is hex digits
 * and dashes only, so it is written into the SQL as a literal.
 */
final class ActingUser {

    private ActingUser() {
    }

    /**
     * Inside a transaction: {@code SET LOCAL}, not {@code set_config()}, because a SELECT would take
     * the snapshot of a REPEATABLE READ transaction before its work runs.
     *
     * @param user the acting user
     * @return the statement
     */
    static String setLocal(UUID user) {
        return "SET LOCAL jeex.acting_user_id = '" + user + "'";
    }

    /**
     * For one auto-committed statement: sent before it in the same round trip (one Sync), so
     * PostgreSQL runs both in one implicit transaction, at whose end the setting ends too. No
     * BEGIN, no COMMIT: the acting user costs no round trip of its own.
     *
     * @param user the acting user
     * @return the first statement of the pair, with its separator
     */
    static String prefix(UUID user) {
        return "SELECT set_config('jeex.acting_user_id', '" + user + "', true); ";
    }
}
