package io.jeex.db;

import static java.util.Objects.requireNonNull;

/**
 * The retry decision, as one pure function of where and how an attempt failed. The JDBC code
 * around it only obeys: it retries when told, feeds the circuit breaker what it is told, and
 * reports the outcome it is told. Tested by a table of every combination
 * ({@code RetryPolicyTest}).
 *
 * <p>The rules:
 * <ul>
 *   <li>a nested call never retries and never feeds the breaker: the outermost call decides;</li>
 *   <li>the work's own exceptions and closing are neither retried nor recorded;</li>
 *   <li>contention (40001, 40P01; 55P03 when configured) is retried: the server rolled the
 *       transaction back;</li>
 *   <li>infrastructure failures (connections, pool timeouts, refused logins) are recorded as
 *       failures; a refused login is never retried (it fails the same way until the
 *       configuration changes); a lost connection is retried when nothing can have been
 *       committed and nothing of the work can have been acted on: before any statement, after
 *       statements of a transaction that is idempotent or read-only, or whenever the work is
 *       the library's own write that resolves its outcome on the next attempt;</li>
 *   <li>a connection lost during COMMIT, or while a single auto-committed statement ran, leaves
 *       the outcome unknown (it may have committed), unless the work only reads; a caller's
 *       work is then not retried, the library's own write is (its next attempt resolves it);</li>
 *   <li>a write refused because the server is not the primary (25006 in a read-write
 *       transaction: a standby, as just after a failover) is retried whatever the stage, like a
 *       connection lost before any statement: a standby writes nothing, so nothing can have been
 *       committed; it is recorded as an infrastructure failure;</li>
 *   <li>every other database error counts as a success of the database for the breaker (it
 *       answered) and is not retried.</li>
 * </ul>
 *
 * @param retryOnLockTimeout whether lock timeouts (55P03) are retried
 */
record RetryPolicy(boolean retryOnLockTimeout) {

    /** Where the attempt was when it failed. */
    public enum Stage {
        /** Before any statement of the work was sent: borrowing, beginning, or work that ran none. */
        BEFORE_STATEMENT,
        /**
         * After a statement of the work: one completed in a transaction (or the raw connection
         * was handed out), or the single statement of auto-committed work was sent.
         */
        AFTER_STATEMENT,
        /** During COMMIT. */
        COMMIT
    }

    /** Who wrote the work. */
    public enum Mode {
        /** A caller's work through the public API. */
        CALLER,
        /** One of the library's own single SELECTs: auto-committed although read-only. */
        LIBRARY_READ,
        /**
         * One of the library's own writes: its effects are in the database only, and its next
         * attempt finds out whether an earlier one committed (a client-generated id, a state
         * already reached), so it may always run again.
         */
        LIBRARY_WRITE
    }

    /** What the circuit breaker is told about the attempt. */
    public enum Breaker {
        /** An infrastructure failure: counts towards opening. */
        FAILURE,
        /** The database answered: counts as a success. */
        SUCCESS,
        /** Neither: the permission is released without an outcome. */
        IGNORE
    }

    /** What the caller can know about the failed attempt's effect. */
    public enum Outcome {
        /** Nothing of it was committed. */
        NOT_COMMITTED,
        /** It may or may not have been committed. */
        UNKNOWN
    }

    /**
     * An attempt's failure, as the decision sees it.
     *
     * @param category the category, decided by origin first
     * @param stage where the attempt was
     * @param idempotent whether the caller marked the work as safe to run twice
     * @param readOnly whether the transaction only reads
     * @param nested whether the call joined a running transaction
     * @param singleStatement whether the work ran as one auto-committed statement
     * @param mode who wrote the work
     */
    public record Situation(Category category, Stage stage, boolean idempotent, boolean readOnly, boolean nested,
                            boolean singleStatement, Mode mode) {
        /**
         * @throws NullPointerException if category, stage or mode is null
         */
        public Situation {
            requireNonNull(category, "category");
            requireNonNull(stage, "stage");
            requireNonNull(mode, "mode");
        }
    }

    /**
     * @param retry whether to run the work again (within the attempt limit and the deadline)
     * @param breaker what the circuit breaker records
     * @param outcome what is known of the failed attempt's effect
     */
    public record Decision(boolean retry, Breaker breaker, Outcome outcome) {
    }

    /**
     * Decides.
     *
     * @param s the failure
     * @return the decision
     */
    public Decision decide(Situation s) {
        Category c = s.category();
        boolean mayHaveCommitted = s.stage() == Stage.COMMIT
                || (s.stage() == Stage.AFTER_STATEMENT && s.singleStatement());
        if (s.nested()) {
            return new Decision(false, Breaker.IGNORE, Outcome.NOT_COMMITTED);
        }
        return switch (c) {
            case WORK_EXCEPTION, CLOSED -> new Decision(false, Breaker.IGNORE, Outcome.NOT_COMMITTED);
            case AUTHENTICATION_FAILED -> new Decision(false, Breaker.FAILURE, Outcome.NOT_COMMITTED);
            case CONNECTION_FAILURE, POOL_TIMEOUT -> {
                boolean unknown = mayHaveCommitted && !s.readOnly();
                boolean retry = s.readOnly() || s.mode() == Mode.LIBRARY_WRITE
                        || s.stage() == Stage.BEFORE_STATEMENT
                        || (s.stage() == Stage.AFTER_STATEMENT && !s.singleStatement() && s.idempotent());
                yield new Decision(retry, Breaker.FAILURE, unknown ? Outcome.UNKNOWN : Outcome.NOT_COMMITTED);
            }
            case NOT_PRIMARY -> new Decision(true, Breaker.FAILURE, Outcome.NOT_COMMITTED);
            case SERIALIZATION_FAILURE, DEADLOCK -> new Decision(true, Breaker.SUCCESS, Outcome.NOT_COMMITTED);
            case LOCK_NOT_AVAILABLE -> new Decision(retryOnLockTimeout, Breaker.SUCCESS, Outcome.NOT_COMMITTED);
            default -> new Decision(false, Breaker.SUCCESS, Outcome.NOT_COMMITTED);
        };
    }
}
