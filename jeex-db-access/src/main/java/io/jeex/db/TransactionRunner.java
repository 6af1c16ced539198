package io.jeex.db;

import static java.util.Objects.requireNonNull;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.core.functions.CheckedSupplier;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.jeex.db.error.JeexDbException;
import io.jeex.db.error.TransactionWorkException;
import io.jeex.db.error.WrongScopeException;
import io.jeex.db.tx.TransactionWork;
import io.jeex.db.tx.TxOptions;
import java.util.Locale;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs transactions as {@code Retry(CircuitBreaker(attempt))}:
 * <ol>
 *   <li>the attempt borrows a connection (failing at once when the server cannot be reached,
 *       see {@link Acquirer}), begins the transaction with its options as the first statement
 *       ({@code SET TRANSACTION ...; SET LOCAL ...}), runs the work and commits;</li>
 *   <li>a failure is categorised by where it came from (the pool, the driver, the server, or
 *       the work itself) and handed to the pure {@link RetryPolicy}, which says whether to run
 *       again, what the circuit breaker records and whether the outcome is unknown; an open
 *       breaker refuses the attempt without running it;</li>
 *   <li>Resilience4j's {@link Retry} runs the attempts, waiting what the runner chose
 *       (exponential backoff with full jitter, within the deadline).</li>
 * </ol>
 * The attempt itself is {@link AttemptExecutor}'s, where it runs {@link Routes}', and what the end of
 * a call means for its caller and the meters {@link Outcomes}'; this class holds the loop, the
 * breaker, the retry decision and the nesting.
 *
 * <p>Only the outermost call on a thread does this; a nested call joins the running transaction, if
 * it is in the same mode (system or not) and acts as the same user, or the transaction has none yet.
 *
 * <p>Routes: the primary pool, the read replicas for read-only work ({@link Routes}), and system mode
 * ({@link TxOptions#system()}): a new direct connection per attempt as the migration role, checked
 * once to bypass row-level security, with its own breaker and meters ({@code <name>-system}), built
 * on first use. The acting user is set inside the transaction ({@code SET LOCAL}); the library's own
 * single statements run auto-committed with it in the same round trip ({@link Jdbc#query}), or
 * become a transaction right before a statement that cannot carry it.
 */
final class TransactionRunner implements Transactions {

    private static final Logger LOG = LoggerFactory.getLogger(TransactionRunner.class);

    /**
     * Resilience4j's own attempt limit: a safety net only. The runner counts attempts itself,
     * because the library's restarts (waiting for a lock its snapshot must see) are no failures.
     */
    static final int RESILIENCE4J_MAX_ATTEMPTS = 10_000;

    private final JeexDbConfig config;
    private final Route primary;
    private final Routes routes;
    private final Retry retry;
    private final RetryPolicy policy;
    private final ErrorTranslator translator;
    private final Lifecycle lifecycle;
    private final ThreadLocal<TransactionImpl> current = new ThreadLocal<>();
    private final AttemptExecutor attempts;
    private final Outcomes outcomes;

    /**
     * @param config the configuration (retry and timeout settings)
     * @param primary the primary route
     * @param replicas the read replicas, or null without any
     * @param replicaReads their read-your-writes rule, or null without replicas
     * @param system builds the route of system mode ({@link TxOptions#system()}), called once, on first use
     * @param retry the retry, from {@link #retryConfig(JeexDbConfig)}
     * @param translator translates final failures
     * @param lifecycle open or closing, and the work in flight
     */
    public TransactionRunner(JeexDbConfig config, Route primary, ReplicaSet replicas, ReplicaReads replicaReads,
                             Supplier<Route> system, Retry retry,
                             ErrorTranslator translator, Lifecycle lifecycle) {
        this.config = requireNonNull(config, "config");
        this.primary = requireNonNull(primary, "primary");
        this.routes = new Routes(primary, replicas, system, replicaReads);
        this.retry = requireNonNull(retry, "retry");
        this.policy = new RetryPolicy(config.retry().onLockTimeout());
        this.translator = requireNonNull(translator, "translator");
        this.lifecycle = requireNonNull(lifecycle, "lifecycle");
        this.attempts = new AttemptExecutor(config.pool(), replicaReads, this.lifecycle, current);
        this.outcomes = new Outcomes(this.translator, config.breaker(), config.retry());
    }

    /**
     * The retry configuration: retries only failures that the runner marked retryable, waiting
     * what the runner chose. The runner enforces {@link io.jeex.db.RetryConfig#maxAttempts()} itself.
     *
     * @param config the configuration
     * @return the Resilience4j retry configuration
     */
    public static RetryConfig retryConfig(JeexDbConfig config) {
        return RetryConfig.custom()
                .maxAttempts(RESILIENCE4J_MAX_ATTEMPTS)
                .retryOnException(t -> t instanceof RetryableFailure)
                .intervalBiFunction((attempt, either) -> either.isLeft() && either.getLeft() instanceof RetryableFailure r
                        ? r.waitMillis() : 0L)
                .failAfterMaxAttempts(false)
                .build();
    }

    @Override
    public boolean inTransaction() {
        return current.get() != null;
    }

    @Override
    public <T> T run(TxOptions options, RetryPolicy.Mode mode, TransactionWork<T> work) {
        requireNonNull(options, "options");
        requireNonNull(mode, "mode");
        requireNonNull(work, "work");
        TransactionImpl outer = current.get();
        if (outer != null) {
            return join(outer, options, work);
        }
        long start = System.nanoTime();
        try {
            lifecycle.enter();
        } catch (JeexDbException closed) {
            primary.metrics().record(options.name(), TransactionMetrics.FAILED, Category.CLOSED.tag(), 1,
                    System.nanoTime() - start);
            throw closed;
        }
        try {
            return outermost(options, mode, work, start);
        } finally {
            lifecycle.exit();
        }
    }

    private <T> T outermost(TxOptions options, RetryPolicy.Mode mode, TransactionWork<T> work, long start) {
        Backoff backoff = new Backoff(config.retry(), start);
        CallState call = new CallState();
        Route[] used = {primary};
        Observations.Running observed = (options.system() ? routes.system() : primary).observations()
                .transaction(options.name());
        CheckedSupplier<T> attempt = () -> {
            Route route = routes.of(options);
            used[0] = route;
            return guarded(route, options, mode, work, call, backoff);
        };
        try {
            T result = Retry.decorateCheckedSupplier(retry, attempt).get();
            used[0].metrics().committed(options.name(), call.attempts(), System.nanoTime() - start);
            if (observed != null) {
                observed.end(TransactionMetrics.COMMITTED, null, call.attempts(), null);
            }
            logSystem(used[0], options, TransactionMetrics.COMMITTED, start);
            return result;
        } catch (Throwable t) {
            Outcomes.Final outcome = outcomes.of(t, call, options);
            String result = outcome.category() == Category.WORK_EXCEPTION
                    ? TransactionMetrics.ROLLED_BACK : TransactionMetrics.FAILED;
            used[0].metrics().record(options.name(), result, outcome.tag(),
                    Math.max(1, call.attempts()), System.nanoTime() - start);
            if (observed != null) {
                observed.end(result, outcome.tag(), Math.max(1, call.attempts()),
                        outcome.exception() != null ? outcome.exception() : outcome.error());
            }
            logSystem(used[0], options, result + " (" + outcome.tag() + ")", start);
            if (outcome.exception() != null) {
                throw outcome.exception();
            }
            throw (Error) outcome.error();
        }
    }

    /**
     * System mode is visible: besides its meters ({@code pool=<name>-system}), every system
     * transaction says in one line what ran, as which role, and how it ended.
     */
    private void logSystem(Route route, TxOptions options, String outcome, long start) {
        if (route.system()) {
            LOG.info("{}: system mode: transaction '{}' {} as role {} (row-level security bypassed) in {} ms",
                    config.name(), options.name(), outcome, config.credentials().effectiveMigrationUser().orElse("<from migrationUrl>"),
                    (System.nanoTime() - start) / 1_000_000);
        }
    }

    /** One attempt through the route's circuit breaker, and the retry decision on its failure. */
    private <T> T guarded(Route route, TxOptions options, RetryPolicy.Mode mode, TransactionWork<T> work,
                          CallState call, Backoff backoff) {
        if (lifecycle.cancelled()) {
            throw new AttemptFailure(lifecycle.closedError(), Category.CLOSED, Phase.CONNECT,
                    RetryPolicy.Stage.BEFORE_STATEMENT, false, false);
        }
        CircuitBreaker breaker = route.breaker();
        if (!breaker.tryAcquirePermission()) {
            throw new Outcomes.CircuitOpen(route, call.attempts());
        }
        int number = call.nextAttempt();
        long started = breaker.getCurrentTimestamp();
        Observations.Running observed = route.observations().attempt(number);
        try {
            T result = attempts.run(route, options, mode, work, number, call);
            breaker.onSuccess(breaker.getCurrentTimestamp() - started, breaker.getTimestampUnit());
            if (observed != null) {
                observed.end(TransactionMetrics.COMMITTED, null, 0, null);
            }
            return result;
        } catch (AttemptFailure f) {
            RetryPolicy.Decision decision = policy.decide(new RetryPolicy.Situation(f.category(), f.stage(),
                    options.idempotent(), options.readOnly(), false, options.singleStatement(), mode));
            long took = breaker.getCurrentTimestamp() - started;
            switch (decision.breaker()) {
                case FAILURE -> breaker.onError(took, breaker.getTimestampUnit(), f.getCause());
                case SUCCESS -> breaker.onSuccess(took, breaker.getTimestampUnit());
                default -> breaker.releasePermission();
            }
            if (f.restart()) {
                call.restarted();
            }
            RuntimeException next = retryOrNot(f, decision, route, options, call, backoff);
            if (observed != null) {
                observed.end(next instanceof RetryableFailure ? "retried" : TransactionMetrics.FAILED,
                        f.category().tag(), 0, f.getCause());
            }
            throw next;
        }
    }

    private RuntimeException retryOrNot(AttemptFailure f, RetryPolicy.Decision decision, Route route,
                                        TxOptions options, CallState call, Backoff backoff) {
        if (!decision.retry() || lifecycle.cancelled()) {
            return new Outcomes.Refused(f, decision);
        }
        if (f.restart()) {
            // The library's own write must see a concurrent commit: no backoff, the next attempt
            // first waits for the lock that commit held. Bounded by the deadline alone.
            return backoff.allows(0) ? new RetryableFailure(f, 0) : new Outcomes.Refused(f, decision);
        }
        int counted = call.countedAttempts();
        if (counted >= config.retry().maxAttempts()) {
            return new Outcomes.Refused(f, decision);
        }
        long wait = backoff.nextWaitMillis(counted);
        if (!backoff.allows(wait)) {
            LOG.debug("{}: transaction '{}' attempt {} failed ({}); not retried, the retry deadline ({}) would pass",
                    route.name(), options.name(), call.attempts(), f.category().tag(),
                    Durations.ms(config.retry().deadline()));
            return new Outcomes.Refused(f, decision);
        }
        route.metrics().retried(f.category());
        if (f.category().isContention()) {
            LOG.debug("{}: transaction '{}' attempt {} failed with SQLSTATE {}; retrying in {} ms",
                    route.name(), options.name(), call.attempts(), SqlStates.sqlState(f.getCause()), wait);
        } else {
            LOG.info("{}: transaction '{}' attempt {} failed ({}, SQLSTATE {}, {}); retrying in {} ms",
                    route.name(), options.name(), call.attempts(), f.category().tag(),
                    SqlStates.sqlState(f.getCause()), f.stage().name().toLowerCase(Locale.ROOT), wait);
        }
        return new RetryableFailure(f, wait);
    }

    private <T> T join(TransactionImpl outer, TxOptions options, TransactionWork<T> work) {
        TxOptions running = outer.options();
        if (options.system() != running.system()) {
            throw new WrongScopeException(options.system()
                    ? "'" + options.name() + "' runs in system mode, which has a connection of its own, so it cannot "
                    + "join the transaction '" + running.name() + "' of the pool; call it outside that transaction, or "
                    + "run the outer one in system mode (TxOptions.asSystem())"
                    : "'" + options.name() + "' acts as a user, so it cannot join the system-mode transaction '"
                    + running.name() + "' (system mode acts as no user); use db.system() for the call, or run it "
                    + "outside that transaction");
        }
        if (options.isolation().compareTo(running.isolation()) > 0) {
            throw new IllegalStateException("a nested transaction asked for " + options.isolation()
                    + " isolation inside a " + running.isolation() + " transaction ('" + running.name()
                    + "'); a nested call joins the outer transaction, so give the outer one the stronger level");
        }
        if (!options.readOnly() && running.readOnly()) {
            throw new IllegalStateException("a nested read-write transaction ('" + options.name()
                    + "') cannot join the read-only transaction '" + running.name() + "'; make the outer one read-write");
        }
        try {
            if (options.actingUserId() != null) {
                outer.actAs(options.actingUserId(), options.name());
            }
            return work.execute(outer);
        } catch (Exception e) {
            throw nestedFailure(outer, e);
        }
    }

    /**
     * What a nested call throws to the outer work: a failure of a statement of the transaction
     * translated (so the outer work can catch {@code UniqueViolationException} around a
     * repository call) and remembered, so the outer call still knows it came from the database;
     * anything else as it is (a checked exception as {@link TransactionWorkException}).
     */
    private RuntimeException nestedFailure(TransactionImpl outer, Exception e) {
        if (e instanceof Transactions.RestartSignal restart) {
            return restart;
        }
        if (outer.translatedHere(e) || !outer.fromDatabase(e)) {
            if (e instanceof RuntimeException re) {
                return re;
            }
            return translator.translate(e, Category.WORK_EXCEPTION, outer.attempt(), outer.options().name(), false);
        }
        outer.statementFailed(e);
        JeexDbException translated = translator.translate(e, outer.attempt(), outer.options().name());
        outer.translated(translated, e);
        return translated;
    }

}
