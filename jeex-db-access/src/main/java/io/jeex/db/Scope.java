package io.jeex.db;

import io.jeex.db.error.WrongScopeException;
import io.jeex.db.tx.TxOptions;
import java.util.UUID;

/**
 * Who the repositories of one {@link Repositories} act for: one user (row-level security lets
 * their calls reach that user's rows only), or the system (system mode: every user's rows).
 *
 * @param user the acting user, or null for the system
 */
record Scope(UUID user) {

    /** The system: no acting user, row-level security bypassed. */
    static final Scope SYSTEM = new Scope(null);

    /** @return whether this is the system */
    boolean system() {
        return user == null;
    }

    /**
     * @param options an operation's options
     * @return them acting as this scope's user, or in system mode
     */
    TxOptions apply(TxOptions options) {
        return user == null ? Tx.system(options) : options.withActingUser(user);
    }

    /**
     * Refuses a system-scoped operation on a user's repositories.
     *
     * @param operation the operation, for example {@code exports.purgeExpired}
     * @throws WrongScopeException if this scope is a user's
     */
    void requireSystem(String operation) {
        if (user != null) {
            throw new WrongScopeException(operation + " is system-scoped (it crosses users), but was called on the "
                    + "repositories of one user (db.actingAs(...)): call it on db.system()");
        }
    }

    @Override
    public String toString() {
        return user == null ? "system" : "user " + user;
    }
}
