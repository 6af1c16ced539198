package io.jeex.db;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import org.jooq.ExecuteContext;
import org.jooq.ExecuteListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Times every statement that runs through jOOQ (typed queries and plain SQL alike) as
 * {@value #QUERY_TIMER}, named after OpenTelemetry's client metric, and logs statements at or
 * above the slow-query threshold at WARN with their SQL shape (bind values are {@code ?};
 * literals in the text are masked) and duration.
 *
 * <p>Tags, every one bounded: {@code db.system.name} ({@code postgresql}), {@code pool} (the
 * instance name), {@code db.operation.name} (5 values), {@code db.collection.name} (the 5
 * tables or {@code other}) and {@code error.type} ({@code none}, the SQLSTATE class such as
 * {@code 23}, or {@code client} for failures without SQLSTATE). Never the SQL, never values.
 *
 * <p>Cheap on the hot path: the success timers are looked up in an array by (operation, table);
 * the shape of a typed query is read from jOOQ's query object model, that of plain SQL by a scanner
 * without allocation ({@link SqlShape}); one small holder per statement carries the start time.
 */
final class QueryMetricsListener implements ExecuteListener, StatementObserver {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(QueryMetricsListener.class);

    /** Timer of statements, from the start of execution to the end of fetching. */
    public static final String QUERY_TIMER = "db.client.operation.duration";
    /**
     * Counter of statements at or above the slow-query threshold, with the timer's tags; each
     * statement series has one beside it from its first statement on (0 while none was slow).
     */
    public static final String SLOW_COUNTER = "jeex.db.slow.queries";
    /** Tag value of {@code error.type} for a statement that succeeded. */
    public static final String NO_ERROR = "none";
    private static final String START = "jeex.db.metrics.start";

    private final transient MeterRegistry registry;
    private final transient Observations observations;
    private final String pool;
    private final long slowNanos;
    private final transient Meters[] success;
    private final transient ConcurrentMap<String, Meters> failures = new ConcurrentHashMap<>();

    /** The timer of one tag tuple and its slow-statement counter. */
    private record Meters(Timer timer, Counter slow) {
    }

    /**
     * @param registry where the timers go
     * @param pool the instance name tag
     * @param slowQueryThreshold the slow-query threshold; zero for none
     */
    public QueryMetricsListener(MeterRegistry registry, String pool, Duration slowQueryThreshold) {
        this(registry, pool, slowQueryThreshold, null);
    }

    /**
     * @param registry where the timers go
     * @param pool the instance name tag
     * @param slowQueryThreshold the slow-query threshold; zero for none
     * @param observations the route's observations, or null for none
     */
    public QueryMetricsListener(MeterRegistry registry, String pool, Duration slowQueryThreshold,
                                Observations observations) {
        this.registry = registry;
        this.observations = observations != null && observations.on() ? observations : null;
        this.pool = pool;
        this.slowNanos = slowQueryThreshold.isZero() ? Long.MAX_VALUE : slowQueryThreshold.toNanos();
        this.success = new Meters[SqlShape.OPERATIONS.length * SqlShape.TABLES.length];
    }

    /** Start time of one statement; recorded once, by the first of exception() and end(). */
    private static final class Start {
        final long nanos = System.nanoTime();
        final int shape;
        final io.micrometer.observation.Observation observation;
        boolean recorded;

        Start(int shape, io.micrometer.observation.Observation observation) {
            this.shape = shape;
            this.observation = observation;
        }
    }

    @Override
    public void executeStart(ExecuteContext ctx) {
        int shape = SqlShape.of(ctx.query(), ctx.sql());
        ctx.data(START, new Start(shape, observations == null ? null : observations.statement(ctx.sql(), shape)));
    }

    @Override
    public void exception(ExecuteContext ctx) {
        Throwable failure = ctx.sqlException() != null ? ctx.sqlException() : ctx.exception();
        finish(ctx, errorType(failure));
    }

    @Override
    public void end(ExecuteContext ctx) {
        finish(ctx, NO_ERROR);
    }

    @Override
    public Object begin(String sql, int shape) {
        return observations == null ? null : observations.statement(sql, shape);
    }

    @Override
    public void end(Object token, String sql, int shape, long nanos, Throwable failure) {
        if (observations != null) {
            observations.endStatement((io.micrometer.observation.Observation) token, failure);
        }
        record(sql, shape, nanos, failure == null ? NO_ERROR : errorType(failure));
    }

    private void finish(ExecuteContext ctx, String errorType) {
        Object data = ctx.data(START);
        if (!(data instanceof Start start) || start.recorded) {
            return;
        }
        start.recorded = true;
        if (observations != null) {
            observations.endStatement(start.observation, errorType == NO_ERROR ? null
                    : ctx.sqlException() != null ? ctx.sqlException() : ctx.exception());
        }
        record(ctx.sql(), start.shape, System.nanoTime() - start.nanos, errorType);
    }

    private void record(String sql, int shape, long nanos, String errorType) {
        Meters meters = meters(shape, errorType);
        meters.timer().record(nanos, TimeUnit.NANOSECONDS);
        if (nanos >= slowNanos) {
            meters.slow().increment();
            LOG.warn("{}: slow query: {} ms, {} {}{}: {}", pool, TimeUnit.NANOSECONDS.toMillis(nanos),
                    SqlShape.OPERATIONS[shape / SqlShape.TABLES.length], SqlShape.TABLES[shape % SqlShape.TABLES.length],
                    errorType == NO_ERROR ? "" : " (failed, SQLSTATE class " + errorType + ")", SqlLiterals.masked(sql));
        }
    }

    private Meters meters(int shape, String errorType) {
        if (errorType == NO_ERROR) {
            Meters m = success[shape];
            if (m == null) {
                m = register(shape, NO_ERROR);
                success[shape] = m; // a benign race: registering twice returns the same meters
            }
            return m;
        }
        return failures.computeIfAbsent(shape + ":" + errorType, k -> register(shape, errorType));
    }

    private Meters register(int shape, String errorType) {
        Tags tags = Tags.of("db.system.name", "postgresql", "pool", pool,
                "db.operation.name", SqlShape.OPERATIONS[shape / SqlShape.TABLES.length],
                "db.collection.name", SqlShape.TABLES[shape % SqlShape.TABLES.length],
                "error.type", errorType);
        return new Meters(Timer.builder(QUERY_TIMER)
                .description("Statements run through jOOQ, from execution to the end of fetching")
                .tags(tags).register(registry),
                Counter.builder(SLOW_COUNTER)
                        .description("Statements that ran at least the slow-query threshold")
                        .tags(tags).register(registry));
    }

    /** The SQLSTATE class (two characters, checked) or {@code client}: at most 36 * 36 + 1 values. */
    static String errorType(Throwable failure) {
        String state = SqlStates.sqlState(failure);
        if (state == null || state.length() < 2) {
            return "client";
        }
        char a = state.charAt(0);
        char b = state.charAt(1);
        if (!isClassChar(a) || !isClassChar(b)) {
            return "client";
        }
        return state.substring(0, 2);
    }

    private static boolean isClassChar(char c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
    }
}
