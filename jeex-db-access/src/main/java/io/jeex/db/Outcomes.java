package io.jeex.db;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.jeex.db.error.DatabaseUnavailableException;
import io.jeex.db.error.ErrorContext;
import io.jeex.db.error.JeexDbException;
import io.jeex.db.error.SerializationFailureException;
import io.jeex.db.tx.TxOptions;

/**
 * Maps how a call ended to what its caller gets and what the meters record: an open breaker to
 * {@link DatabaseUnavailableException}, the work's own exception to itself (a checked one wrapped),
 * a lost COMMIT to an unknown outcome, everything else to the typed exception of its category
 * ({@link ErrorTranslator}).
 */
final class Outcomes {

    private final ErrorTranslator translator;
    private final BreakerConfig breaker;
    private final RetryConfig retry;

    /**
     * @param translator translates final failures
     * @param breaker the breaker's settings, for the message of an open breaker
     * @param retry the retry settings, for the message of a deadline that passed
     */
    Outcomes(ErrorTranslator translator, BreakerConfig breaker, RetryConfig retry) {
        this.translator = translator;
        this.breaker = breaker;
        this.retry = retry;
    }

    /**
     * How a call ended.
     *
     * @param exception what the caller gets, or null when it is an {@link Error}
     * @param error the error to rethrow when {@code exception} is null
     * @param category the failure's category
     * @param tag the {@code category} tag of the transaction meters
     */
    record Final(RuntimeException exception, Throwable error, Category category, String tag) {
    }

    /**
     * @param t what the retry loop threw
     * @param call the state of the call
     * @param options the transaction's options
     * @return what the caller gets and what the meters record
     */
    Final of(Throwable t, CallState call, TxOptions options) {
        int attempts = Math.max(1, call.attempts());
        if (t instanceof CircuitOpen open) {
            CircuitBreaker cb = open.route.breaker();
            CircuitBreaker.State state = cb.getState();
            String when = state == CircuitBreaker.State.HALF_OPEN
                    ? "its " + breaker.permittedCallsInHalfOpenState() + " trial calls are running, and other calls "
                            + "fail fast until enough of them succeed"
                    : "calls fail fast for " + Durations.ms(breaker.waitInOpenState())
                            + " before trial calls are let through";
            return new Final(new DatabaseUnavailableException("the database is unavailable: circuit breaker '"
                    + cb.getName() + "' is " + state + " after repeated connection failures; " + when
                    + " [transaction " + options.name()
                    + (attempts > 1 ? ", after " + attempts + " attempts" : "") + "]",
                    new ErrorContext(null, null, null, null, attempts),
                    CallNotPermittedException.createCallNotPermittedException(cb)), null,
                    Category.CONNECTION_FAILURE, TransactionMetrics.CIRCUIT_OPEN);
        }
        AttemptFailure f;
        RetryPolicy.Outcome outcome;
        if (t instanceof Refused refused) {
            f = refused.failure;
            outcome = refused.decision.outcome();
        } else if (t instanceof RetryableFailure r) {
            f = r.failure(); // Resilience4j's safety net ran out
            outcome = RetryPolicy.Outcome.NOT_COMMITTED;
        } else if (t instanceof AttemptFailure a) {
            f = a;
            outcome = RetryPolicy.Outcome.NOT_COMMITTED;
        } else {
            return new Final(t instanceof RuntimeException re ? re : null, t, Category.WORK_EXCEPTION,
                    TransactionMetrics.WORK_EXCEPTION);
        }
        Throwable cause = f.getCause();
        if (cause instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        Category category = f.category();
        if (category == Category.WORK_EXCEPTION) {
            if (cause instanceof RuntimeException re) {
                return new Final(re, cause, category, TransactionMetrics.WORK_EXCEPTION);
            }
            if (cause instanceof Error) {
                return new Final(null, cause, category, TransactionMetrics.WORK_EXCEPTION);
            }
            return new Final(translator.translate(cause, category, attempts, options.name(), false), cause, category,
                    TransactionMetrics.WORK_EXCEPTION);
        }
        if (f.restart()) {
            return new Final(new SerializationFailureException("the transaction could not be completed before the "
                    + "retry deadline (" + Durations.ms(retry.deadline()) + "): " + cause.getMessage()
                    + " [transaction " + options.name() + ", after " + attempts + " attempts]",
                    new ErrorContext(null, null, null, null, attempts), null), cause, category,
                    category.tag());
        }
        if (f.aborted()) {
            return new Final(translator.aborted(cause.getCause(), attempts, options.name()), cause, category,
                    TransactionMetrics.TRANSACTION_ABORTED);
        }
        boolean unknown = outcome == RetryPolicy.Outcome.UNKNOWN;
        JeexDbException translated = translator.translate(cause, category, attempts, options.name(), unknown);
        String tag = unknown && category == Category.CONNECTION_FAILURE ? TransactionMetrics.OUTCOME_UNKNOWN
                : category.tag();
        return new Final(translated, cause, category, tag);
    }

    /** The attempt's failure was final: the decision refused a retry, or the limit was reached. */
    static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient AttemptFailure failure;
        private final transient RetryPolicy.Decision decision;

        Refused(AttemptFailure failure, RetryPolicy.Decision decision) {
            super(failure.getMessage(), failure.getCause(), false, false);
            this.failure = failure;
            this.decision = decision;
        }
    }

    /** The route's circuit breaker refused the attempt. */
    static final class CircuitOpen extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient Route route;

        CircuitOpen(Route route, int attempts) {
            super("circuit open after " + attempts + " attempts", null, false, false);
            this.route = route;
        }
    }
}
