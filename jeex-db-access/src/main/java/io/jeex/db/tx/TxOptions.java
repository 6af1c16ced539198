package io.jeex.db.tx;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.UUID;

/**
 * How one transaction runs. Immutable; start from {@link #defaults()} or {@link #named(String)}
 * and change with the {@code with...} methods:
 *
 * <pre>{@code
 * TxOptions opts = TxOptions.named("append_document")
 *         .withIsolation(IsolationLevel.SERIALIZABLE)
 *         .withActingUser(userId)
 *         .withTimeout(Duration.ofSeconds(5));
 * }</pre>
 *
 * <p>Everything is applied inside the transaction ({@code SET TRANSACTION},
 * {@code SET LOCAL}, {@code set_config(..., true)}) and ends with it; nothing stays on the
 * pooled connection, so it is safe behind PgBouncer in transaction mode.
 *
 * @param name a short, fixed name for metrics and logs ({@value #DEFAULT_NAME} by default);
 *     letters, digits, {@code _ . -}, at most 64 characters; never put ids or user data in it
 * @param isolation the isolation level ({@link IsolationLevel#READ_COMMITTED} by default)
 * @param timeout the statement timeout of this transaction, or null (the default) for the
 *     configured {@code statementTimeout}; {@link Duration#ZERO} disables it
 * @param actingUserId the user on whose behalf the work runs, visible to SQL as
 *     {@code jeex_acting_user_id()} (NULL when none is set; set with {@code SET LOCAL
 *     jeex.acting_user_id}, so it ends with the transaction), or null (the default). The
 *     row-level security policies of the schema (migration V3) let a transaction reach only this
 *     user's rows, and none without an acting user. A transaction without one takes the user of
 *     the first repository call that joins it ({@code db.actingAs(id).projects()...}); a
 *     transaction never acts as two users
 * @param idempotent whether running the work twice is harmless; only then is a connection
 *     failure after a statement has run retried (false by default)
 * @param readOnly whether the transaction only reads ({@code READ ONLY}; false by default)
 * @param singleStatement whether the work runs exactly one SQL statement (false by default).
 *     Such work runs in auto-commit mode, the statement being its own transaction, which saves
 *     the round trips of BEGIN and COMMIT; it is retried like a transaction, and a connection
 *     lost while its statement ran is an {@link io.jeex.db.error.OutcomeUnknownException}.
 *     A second statement, or asking for the raw connection, fails with
 *     {@link IllegalStateException}. Ignored (an explicit transaction is used) when the work
 *     needs transaction settings: an isolation level other than read committed, an acting
 *     user, its own timeout, or read-only (an auto-committed statement cannot be made read-only
 *     without session state, and read-only work is retried after a lost connection on the
 *     promise that it wrote nothing); and when it joins a running transaction.
 * @param system whether the work runs in system mode (false by default; see {@link #asSystem()}):
 *     on a connection of its own, direct to the server as the migration role, which bypasses
 *     row-level security, so that it reaches the rows of every user. Never with an acting user.
 */
public record TxOptions(String name, IsolationLevel isolation, Duration timeout, UUID actingUserId,
                        boolean idempotent, boolean readOnly, boolean singleStatement, boolean system) {

    /** The name of transactions that were given none. */
    public static final String DEFAULT_NAME = "transaction";

    private static final TxOptions DEFAULTS =
            new TxOptions(DEFAULT_NAME, IsolationLevel.READ_COMMITTED, null, null, false, false, false, false);

    /**
     * Validates the options.
     *
     * @throws NullPointerException if {@code name} or {@code isolation} is null
     * @throws IllegalArgumentException if the name is malformed, the timeout negative, or an acting
     *     user is set in system mode
     */
    public TxOptions {
        requireNonNull(name, "name");
        requireNonNull(isolation, "isolation");
        int breach = breach(name);
        if (breach != OK) {
            // the rule and where the name breaks it, not the name: a service may build it from a request
            throw new IllegalArgumentException("name must be 1 to 64 letters, digits, '_', '.' or '-', but "
                    + (breach == EMPTY ? "the given name is empty"
                    : breach == TOO_LONG ? "the given name has " + name.length() + " characters (the name is not shown)"
                    : "character " + breach + " of the given name is not one of them (the name is not shown)"));
        }
        if (timeout != null && timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be zero (no timeout) or positive, but was " + timeout);
        }
        if (system && actingUserId != null) {
            throw new IllegalArgumentException("a transaction in system mode acts as no user, but actingUserId was "
                    + "set: use withActingUser(...) for one user's work, or asSystem() for work that crosses users");
        }
    }

    /**
     * Whether a name is 1 to 64 of {@code [A-Za-z0-9_.-]}. A loop, not a regular expression: every
     * call of a repository builds its options (its acting user), and a matcher cost a few percent
     * of a primary-key lookup's client CPU.
     */
    private static final int OK = 0;
    private static final int EMPTY = -1;
    private static final int TOO_LONG = -2;

    /** @return {@link #OK}, {@link #EMPTY}, {@link #TOO_LONG}, or the position (from 1) of the first character outside the rule */
    private static int breach(String name) {
        int n = name.length();
        if (n < 1) {
            return EMPTY;
        }
        if (n > 64) {
            return TOO_LONG;
        }
        for (int i = 0; i < n; i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '_' || c == '.' || c == '-';
            if (!ok) {
                return i + 1;
            }
        }
        return OK;
    }

    /**
     * @return read-committed, read-write, not idempotent, no acting user, the configured timeout, not
     *     single-statement, not in system mode
     */
    public static TxOptions defaults() {
        return DEFAULTS;
    }

    /**
     * Returns the defaults with a name.
     *
     * @param name see {@link #name()}
     * @return new options
     * @throws IllegalArgumentException if the name is malformed
     */
    public static TxOptions named(String name) {
        return DEFAULTS.withName(name);
    }

    /**
     * @param name see {@link #name()}
     * @return a copy with that name
     * @throws IllegalArgumentException if the name is malformed
     */
    public TxOptions withName(String name) {
        return new TxOptions(name, isolation, timeout, actingUserId, idempotent, readOnly, singleStatement, system);
    }

    /**
     * @param isolation see {@link #isolation()}
     * @return a copy with that isolation level
     */
    public TxOptions withIsolation(IsolationLevel isolation) {
        return new TxOptions(name, isolation, timeout, actingUserId, idempotent, readOnly, singleStatement, system);
    }

    /**
     * @param timeout see {@link #timeout()}; null for the configured default
     * @return a copy with that statement timeout
     * @throws IllegalArgumentException if the timeout is negative
     */
    public TxOptions withTimeout(Duration timeout) {
        return new TxOptions(name, isolation, timeout, actingUserId, idempotent, readOnly, singleStatement, system);
    }

    /**
     * @param actingUserId see {@link #actingUserId()}; null for none
     * @return a copy with that acting user
     * @throws IllegalArgumentException if these options are in system mode and the user is not null
     */
    public TxOptions withActingUser(UUID actingUserId) {
        return new TxOptions(name, isolation, timeout, actingUserId, idempotent, readOnly, singleStatement, system);
    }

    /**
     * @param idempotent see {@link #idempotent()}
     * @return a copy with that flag
     */
    public TxOptions withIdempotent(boolean idempotent) {
        return new TxOptions(name, isolation, timeout, actingUserId, idempotent, readOnly, singleStatement, system);
    }

    /**
     * @param readOnly see {@link #readOnly()}
     * @return a copy with that flag
     */
    public TxOptions withReadOnly(boolean readOnly) {
        return new TxOptions(name, isolation, timeout, actingUserId, idempotent, readOnly, singleStatement, system);
    }

    /**
     * @param singleStatement see {@link #singleStatement()}
     * @return a copy with that flag
     */
    public TxOptions withSingleStatement(boolean singleStatement) {
        return new TxOptions(name, isolation, timeout, actingUserId, idempotent, readOnly, singleStatement, system);
    }

    /**
     * Returns a copy in system mode, for work that must cross users: purges, an operator's fix, a
     * data migration. The work runs on a connection of its own, opened for it directly to
     * {@code migrationUrl} as {@code migrationUser} (never through the pool or PgBouncer), a role
     * that must bypass row-level security ({@code BYPASSRLS} or a superuser; the first system
     * transaction checks it and fails with {@link io.jeex.db.error.PermissionDeniedException}
     * naming the setting otherwise). It is visible: its meters carry {@code pool=<name>-system},
     * and every system transaction logs one INFO line with its name, outcome and role. A system
     * transaction cannot join a transaction of the pool, nor the reverse
     * ({@link io.jeex.db.error.WrongScopeException}).
     *
     * @return a copy in system mode, with no acting user
     * @throws IllegalArgumentException if these options have an acting user
     */
    public TxOptions asSystem() {
        return new TxOptions(name, isolation, timeout, actingUserId, idempotent, readOnly, singleStatement, true);
    }

    /**
     * Whether this work can run as one auto-committed statement: it says it is a single
     * statement and needs no transaction setting (read-only included: only
     * {@code SET TRANSACTION READ ONLY} enforces it).
     *
     * @return true when {@link #singleStatement()} takes effect
     */
    public boolean autoCommits() {
        return singleStatement && !readOnly && isolation == IsolationLevel.READ_COMMITTED && actingUserId == null
                && timeout == null;
    }
}
