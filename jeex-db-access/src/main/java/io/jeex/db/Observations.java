package io.jeex.db;

import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.transport.Kind;
import io.micrometer.observation.transport.SenderContext;
import java.util.Properties;
import org.postgresql.Driver;

/**
 * Micrometer Observations of one route (the primary or the replica), when the service gave an
 * {@link ObservationRegistry}; otherwise every method returns null at once and nothing is
 * allocated. Three levels, each the child of the one before (through the registry's current
 * observation on the thread):
 * <ul>
 *   <li>{@value #TRANSACTION}: one per outermost transaction call, named
 *       {@code transaction <name>}, with its outcome, category and number of attempts;</li>
 *   <li>{@value #ATTEMPT}: one per attempt, {@code attempt <n>}, with the failure that ended it;</li>
 *   <li>{@value #STATEMENT}: one per statement, a client observation named after
 *       {@code db.query.summary} ({@code SELECT users}), in OpenTelemetry's database conventions:
 *       {@code db.system.name}, {@code db.operation.name}, {@code db.collection.name},
 *       {@code db.query.summary}, {@code server.address}, {@code server.port}, {@code error.type}
 *       (the SQLSTATE, or the exception's class), and the masked query text as
 *       {@code db.query.text} (string, number and dollar-quoted literals as {@code ?}; bind values
 *       never appear, nor what comments say).</li>
 * </ul>
 * A failure is recorded on its observation as the caller's error shows it: the server's text of a
 * data error (SQLSTATE class 22), which quotes the rejected value, is withheld unless
 * {@code includeErrorDetail} is set ({@link ErrorTranslator#shown(Throwable, boolean)}).
 */
final class Observations {

    /** Observation of an outermost transaction call. */
    public static final String TRANSACTION = "jeex.db.transaction";
    /** Observation of one attempt of a transaction. */
    public static final String ATTEMPT = "jeex.db.transaction.attempt";
    /** Observation of one statement (OpenTelemetry's database client span). */
    public static final String STATEMENT = "db.client.operation";

    private static final KeyValue SYSTEM = KeyValue.of("db.system.name", "postgresql");

    private final ObservationRegistry registry;
    private final String pool;
    private final KeyValue address;
    private final KeyValue port;
    private final boolean includeDetail;

    /**
     * @param registry the service's registry, or null for none
     * @param pool the route's pool name
     * @param url the route's JDBC URL, for the server address and port
     * @param includeDetail whether recorded failures may hold rejected values ({@code includeErrorDetail})
     */
    public Observations(ObservationRegistry registry, String pool, String url, boolean includeDetail) {
        this.registry = registry == null || registry.isNoop() ? null : registry;
        this.pool = pool;
        this.includeDetail = includeDetail;
        Properties parsed = Driver.parseURL(url, new Properties());
        String host = parsed == null ? "localhost" : parsed.getProperty("PGHOST", "localhost").split(",")[0];
        String p = parsed == null ? "5432" : parsed.getProperty("PGPORT", "5432").split(",")[0];
        this.address = KeyValue.of("server.address", host);
        this.port = KeyValue.of("server.port", p);
    }

    /** @return whether observations are made */
    public boolean on() {
        return registry != null;
    }

    /**
     * Starts the observation of an outermost transaction call and makes it current on this thread.
     *
     * @param name the transaction's name
     * @return the running observation with its scope, or null when off
     */
    public Running transaction(String name) {
        if (registry == null) {
            return null;
        }
        Observation o = Observation.createNotStarted(TRANSACTION, registry)
                .contextualName("transaction " + name)
                .lowCardinalityKeyValue(SYSTEM)
                .lowCardinalityKeyValue("jeex.db.transaction.name", name)
                .lowCardinalityKeyValue("jeex.db.pool", pool)
                .start();
        return new Running(o, o.openScope(), includeDetail);
    }

    /**
     * Starts the observation of one attempt, as the child of the current transaction.
     *
     * @param number the attempt's number, from 1
     * @return the running observation with its scope, or null when off
     */
    public Running attempt(int number) {
        if (registry == null) {
            return null;
        }
        Observation o = Observation.createNotStarted(ATTEMPT, registry)
                .contextualName("attempt " + number)
                .lowCardinalityKeyValue(SYSTEM)
                .lowCardinalityKeyValue("jeex.db.attempt", Integer.toString(number))
                .start();
        return new Running(o, o.openScope(), includeDetail);
    }

    /**
     * Starts the observation of a statement, as the child of the current attempt.
     *
     * @param sql the statement's SQL (bind values are placeholders; literals get masked)
     * @param shape its operation and table ({@link SqlShape#of(String)})
     * @return the running observation, or null when off
     */
    public Observation statement(String sql, int shape) {
        if (registry == null) {
            return null;
        }
        String operation = SqlShape.OPERATIONS[shape / SqlShape.TABLES.length];
        String table = SqlShape.TABLES[shape % SqlShape.TABLES.length];
        String summary = operation + " " + table;
        SenderContext<Object> context = new SenderContext<>((carrier, key, value) -> { }, Kind.CLIENT);
        context.setRemoteServiceName("postgresql");
        context.setRemoteServiceAddress(address.getValue() + ":" + port.getValue());
        return Observation.createNotStarted(STATEMENT, () -> context, registry)
                .contextualName(summary)
                .lowCardinalityKeyValue(SYSTEM)
                .lowCardinalityKeyValue("db.operation.name", operation)
                .lowCardinalityKeyValue("db.collection.name", table)
                .lowCardinalityKeyValue("db.query.summary", summary)
                .lowCardinalityKeyValue(address)
                .lowCardinalityKeyValue(port)
                .highCardinalityKeyValue("db.query.text", SqlLiterals.masked(sql))
                .start();
    }

    /**
     * Ends a statement's observation.
     *
     * @param o the observation, or null when off
     * @param failure why the statement failed, or null
     */
    public void endStatement(Observation o, Throwable failure) {
        if (o == null) {
            return;
        }
        if (failure != null) {
            String state = io.jeex.db.SqlStates.sqlState(failure);
            o.lowCardinalityKeyValue("error.type", state != null ? state : failure.getClass().getName());
            o.error(ErrorTranslator.shown(failure, includeDetail));
        }
        o.stop();
    }

    /** An observation made current on this thread, and its scope. */
    public static final class Running {
        private final Observation observation;
        private final Observation.Scope scope;
        private final boolean includeDetail;

        Running(Observation observation, Observation.Scope scope, boolean includeDetail) {
            this.observation = observation;
            this.scope = scope;
            this.includeDetail = includeDetail;
        }

        /**
         * Ends it.
         *
         * @param outcome for a transaction: committed, rolled_back or failed; for an attempt:
         *     committed, retried or failed
         * @param category the failure's category, or null when it succeeded
         * @param attempts for a transaction, its attempts; 0 for an attempt
         * @param failure what failed it, or null
         */
        public void end(String outcome, String category, int attempts, Throwable failure) {
            scope.close();
            observation.lowCardinalityKeyValue("jeex.db.outcome", outcome);
            if (attempts > 0) {
                observation.highCardinalityKeyValue("jeex.db.attempts", Integer.toString(attempts));
            }
            if (category != null) {
                observation.lowCardinalityKeyValue("error.type", category);
            }
            if (failure != null) {
                observation.error(ErrorTranslator.shown(failure, includeDetail));
            }
            observation.stop();
        }
    }
}
