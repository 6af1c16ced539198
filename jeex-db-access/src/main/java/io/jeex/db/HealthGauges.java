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
 * {@value #PENDING_MIGRATIONS_GAUGE} and, per replica, {@value #REPLICA_LAG_GAUGE}; all
 * tagged {@code pool}, the replica's also {@code replica} (its index in the configured list). {@link #close()} removes them from the registry they were bound to.
 */
final class HealthGauges implements MeterBinder, AutoCloseable {

    /** Gauge: 1 for the last check's status, 0 for the others; tag {@code status} = up|degraded|down. */
    static final String STATUS_GAUGE = "jeex.db.health.status";
    /** Gauge: the last check's round-trip latency in seconds; NaN before the first or when DOWN. */
    static final String LATENCY_GAUGE = "jeex.db.health.latency";
    /** Gauge: pending plus failed migrations seen by the last check; NaN when unknown. */
    static final String PENDING_MIGRATIONS_GAUGE = "jeex.db.migrations.pending";
    /**
     * Gauge: a replica's replay lag in seconds, as its lag probe last measured it; NaN when
     * unknown (down, not a standby, not measured yet). Tags {@code pool}, {@code replica}.
     */
    static final String REPLICA_LAG_GAUGE = "jeex.db.replica.lag";

    private final String pool;
    private final List<ReplicaNode> replicas;
    private final Supplier<HealthReport> last;
    private final List<Meter> meters = new ArrayList<>();
    private MeterRegistry registry;

    /**
     * @param pool the instance name, the {@code pool} tag
     * @param replicas the replicas (a lag gauge each)
     * @param last the last report, or null before the first check
     */
    HealthGauges(String pool, List<ReplicaNode> replicas, Supplier<HealthReport> last) {
        this.pool = pool;
        this.replicas = List.copyOf(replicas);
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
        for (ReplicaNode node : replicas) {
            meters.add(Gauge.builder(REPLICA_LAG_GAUGE, node, HealthGauges::lagSeconds)
                    .description("Replay lag of a read replica, as its lag probe last measured it")
                    .baseUnit("seconds").tag("pool", pool).tag("replica", String.valueOf(node.index()))
                    .strongReference(true).register(registry));
        }
    }

    private static double lagSeconds(ReplicaNode node) {
        ReplicaNode.Reading r = node.reading();
        return r.state() != ReplicaNode.State.STANDBY || r.lag() == null ? Double.NaN : r.lag().toNanos() / 1e9;
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
