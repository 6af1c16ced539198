package io.jeex.db;

import io.jeex.db.health.HealthReport;
import io.jeex.db.health.HealthStatus;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The health gauges, read from the last report: {@value #STATUS_GAUGE}, {@value #LATENCY_GAUGE},
 * {@value #PENDING_MIGRATIONS_GAUGE} and, with a replica, {@value #REPLICA_LAG_GAUGE}; all
 * tagged {@code pool}. {@link #close()} removes them from the registry they were bound to.
 */
final class HealthGauges implements MeterBinder, AutoCloseable {

    /** Gauge: 1 for the last check's status, 0 for the others; tag {@code status} = up|degraded|down. */
    static final String STATUS_GAUGE = "jeex.db.health.status";
    /** Gauge: the last check's round-trip latency in seconds; NaN before the first or when DOWN. */
    static final String LATENCY_GAUGE = "jeex.db.health.latency";
    /** Gauge: pending plus failed migrations seen by the last check; NaN when unknown. */
    static final String PENDING_MIGRATIONS_GAUGE = "jeex.db.migrations.pending";
    /** Gauge: the replica's lag in seconds at the last check; NaN when unknown. */
    static final String REPLICA_LAG_GAUGE = "jeex.db.replica.lag";

    private final String pool;
    private final boolean replica;
    private final Supplier<HealthReport> last;
    private final List<Meter> meters = new ArrayList<>();
    private MeterRegistry registry;

    /**
     * @param pool the instance name, the {@code pool} tag
     * @param replica whether there is a replica (its lag gauge)
     * @param last the last report, or null before the first check
     */
    HealthGauges(String pool, boolean replica, Supplier<HealthReport> last) {
        this.pool = pool;
        this.replica = replica;
        this.last = last;
    }

    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        this.registry = registry;
        for (HealthStatus s : HealthStatus.values()) {
            meters.add(Gauge.builder(STATUS_GAUGE, this, g -> g.report() != null && g.report().status() == s ? 1 : 0)
                    .description("1 for the status of the last health check, 0 for the others")
                    .tag("pool", pool).tag("status", s.name().toLowerCase(Locale.ROOT))
                    .strongReference(true).register(registry));
        }
        meters.add(Gauge.builder(LATENCY_GAUGE, this, g -> g.report() == null || g.report().latency() == null
                        ? Double.NaN : g.report().latency().toNanos() / 1e9)
                .description("Round-trip latency of the last health check on its own connection")
                .baseUnit("seconds").tag("pool", pool).strongReference(true).register(registry));
        meters.add(Gauge.builder(PENDING_MIGRATIONS_GAUGE, this, g -> g.report() == null
                        || g.report().migrations() == null ? Double.NaN
                        : g.report().migrations().pending().size() + g.report().migrations().failed().size())
                .description("Pending and failed migrations seen by the last health check")
                .tag("pool", pool).strongReference(true).register(registry));
        if (replica) {
            meters.add(Gauge.builder(REPLICA_LAG_GAUGE, this, g -> g.report() == null || g.report().replica() == null
                            || g.report().replica().lag() == null ? Double.NaN
                            : g.report().replica().lag().toNanos() / 1e9)
                    .description("Replay lag of the read replica at the last health check")
                    .baseUnit("seconds").tag("pool", pool).strongReference(true).register(registry));
        }
    }

    private HealthReport report() {
        return last.get();
    }

    /** Removes the gauges. */
    @Override
    public synchronized void close() {
        if (registry != null) {
            meters.forEach(registry::remove);
            meters.clear();
        }
    }
}
