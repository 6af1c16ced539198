package io.jeex.db;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retention purges' seam: every committed batch counts its rows on {@value #PURGED_COUNTER}
 * (tags {@code pool}, the instance name, and {@code table}: {@value #EXPORTS} or
 * {@value #AGENT_EXECUTIONS}; both series exist from the start, at 0) and logs one INFO line with
 * the instance name, the table, the batch's rows and the purge's running total (counts only, no
 * ids, no paths).
 */
final class PurgeMetrics {

    /** Counter of rows deleted by retention purges. */
    public static final String PURGED_COUNTER = "jeex.db.purge.rows";
    /** Table tag of the purge of expired exports. */
    public static final String EXPORTS = "exports";
    /** Table tag of the purge of finished agent executions. */
    public static final String AGENT_EXECUTIONS = "agent_executions";

    private static final Logger LOG = LoggerFactory.getLogger(PurgeMetrics.class);

    private final String name;
    private final Map<String, Counter> counters;

    /**
     * @param registry where the counters go
     * @param name the instance name (the {@code pool} tag and the start of each log line)
     */
    public PurgeMetrics(MeterRegistry registry, String name) {
        this.name = name;
        this.counters = Map.of(EXPORTS, counter(registry, name, EXPORTS),
                AGENT_EXECUTIONS, counter(registry, name, AGENT_EXECUTIONS));
    }

    private static Counter counter(MeterRegistry registry, String pool, String table) {
        return Counter.builder(PURGED_COUNTER)
                .description("Rows deleted by the retention purges, batch by batch, after each batch committed")
                .tag("pool", pool).tag("table", table)
                .register(registry);
    }

    /**
     * Records a committed batch.
     *
     * @param table {@value #EXPORTS} or {@value #AGENT_EXECUTIONS}
     * @param rows rows the batch deleted
     * @param total rows the purge deleted so far, this batch included
     * @throws IllegalArgumentException if the table is not one of the two
     */
    public void batch(String table, int rows, long total) {
        Counter counter = counters.get(table);
        if (counter == null) {
            throw new IllegalArgumentException("table must be " + EXPORTS + " or " + AGENT_EXECUTIONS + ", but was "
                    + table);
        }
        counter.increment(rows);
        LOG.info("{}: retention purge of {}: batch of {} rows deleted, {} in this purge so far", name, table, rows,
                total);
    }
}
