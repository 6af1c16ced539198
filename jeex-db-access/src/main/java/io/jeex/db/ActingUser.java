package io.jeex.db;

import java.util.UUID;

/**
 * The SQL that makes a user the acting user of a transaction, read by {@code jeex_acting_user_id()}
 * (migration V2) and the row-level security policies (V3). Always transaction-scoped, so nothing
 * outlives the transaction on a pooled connection or behind PgBouncer.
 */
final class ActingUser {

    private ActingUser() {
    }

    /**
     * Inside a transaction: {@code SET LOCAL}, not {@code set_config()}, because a SELECT would take
     * the snapshot of a REPEATABLE READ transaction before its work runs. A UUID's text is hex digits
     * and dashes only, so it is written into the statement as a literal (SET takes no parameters).
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
     * BEGIN, no COMMIT: the acting user costs no round trip of its own. The user is its first
     * parameter, not a literal: the text stays the same for every user, so the driver prepares
     * the pair once per connection and the server plans it once (with a literal, every user's
     * text would be new, parsed and planned on every call, row-level security's rewrite included).
     */
    static final String PREFIX = "SELECT set_config('jeex.acting_user_id', ?, true); ";
}
