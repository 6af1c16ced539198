package io.jeex.db;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.jeex.db.HealthProbes.Answer;
import io.jeex.db.HealthProbes.MigrationRead;
import io.jeex.db.HealthProbes.ReplicaRead;
import io.jeex.db.HealthProbes.RoundTrip;
import io.jeex.db.health.HealthReport.PoolState;
import io.jeex.db.health.HealthReport.ReplicaState;
import io.jeex.db.health.HealthReport;
import io.jeex.db.health.HealthStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs health checks: starts the probes ({@link HealthProbes}) on worker threads, waits for their
 * results up to one deadline (the {@link io.jeex.db.HealthConfig#timeout()}; a result not there by then
 * is completed as missing), and turns what was found into a report ({@link HealthRules}). What was
 * measured by the deadline is reported, so a database that answered the round trip is live even
 * when a later part (migration state, pooler, replica) ran out of time; the caller's wait is bounded
 * whatever the network does. Keeps the last report for the gauges ({@link HealthGauges}) and logs
 * each change of status once; an unchanged status logs nothing.
 */
final class HealthChecker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HealthChecker.class);

    private final DatabaseRuntime runtime;
    private final JeexDbConfig config;
    private final HealthProbes probes;
    private final HealthGauges gauges;
    private final ExecutorService workers;
    private volatile HealthReport last;
    private volatile boolean closed;

    /**
     * @param runtime the database's parts; the gauges go to its registry
     */
    public HealthChecker(DatabaseRuntime runtime) {
        this.runtime = runtime;
        this.config = runtime.config();
        this.probes = new HealthProbes(runtime);
        AtomicInteger n = new AtomicInteger();
        this.workers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "jeex-db-health-" + config.name() + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.gauges = new HealthGauges(config.name(), runtime.replicas(), () -> last);
        gauges.bindTo(runtime.meterRegistry());
    }

    /** @return the last report, or null before the first check */
    public HealthReport last() {
        return last;
    }

    /**
     * Runs a check, bounded by the health timeout (plus scheduling slack), records it for the
     * gauges and logs a change of status.
     *
     * @return the report
     */
    public HealthReport check() {
        Instant at = Instant.now();
        if (closed) {
            return down(at, "this JeexDatabase is closed");
        }
        long left = config.health().timeout().toNanos();
        boolean viaPooler = probes.viaPooler();
        List<ReplicaNode> nodes = runtime.replicas();
        CompletableFuture<RoundTrip> roundTrip = new CompletableFuture<>();
        CompletableFuture<MigrationRead> migrations = new CompletableFuture<>();
        CompletableFuture<Answer> pooler = new CompletableFuture<>();
        List<CompletableFuture<ReplicaRead>> replicas = new ArrayList<>(nodes.size());
        List<ReplicaState> unanswered = new ArrayList<>(nodes.size());
        List<Future<?>> running = new ArrayList<>(3 + nodes.size());
        try {
            running.add(workers.submit(() -> probes.primary(roundTrip, migrations)));
            if (viaPooler) {
                running.add(workers.submit(() -> pooler.complete(probes.pooler())));
            }
            for (ReplicaNode node : nodes) {
                CompletableFuture<ReplicaRead> replica = new CompletableFuture<>();
                replicas.add(replica);
                boolean serving = runtime.serving(node);
                unanswered.add(new ReplicaState(node.index(), node.maskedUrl(), false, false, null, serving));
                running.add(workers.submit(() -> replica.complete(probes.replica(node, serving))));
            }
        } catch (RejectedExecutionException e) {
            running.forEach(f -> f.cancel(true));
            return down(at, "this JeexDatabase is closed");
        }
        // At the deadline, a part still running is missing (null) from the findings.
        List<CompletableFuture<?>> parts = new ArrayList<>(List.of(roundTrip, migrations));
        if (viaPooler) {
            parts.add(pooler);
        }
        parts.addAll(replicas);
        parts.forEach(p -> p.completeOnTimeout(null, left, TimeUnit.NANOSECONDS));
        try {
            CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).get();
        } catch (InterruptedException e) {
            // Interrupted by close() or by the caller: an answer, but not a finding to record or log.
            Thread.currentThread().interrupt();
            running.forEach(f -> f.cancel(true));
            return down(at, "the health check was interrupted");
        } catch (ExecutionException e) {
            throw new IllegalStateException("a health probe failed unexpectedly", e.getCause());
        }
        // Assembled before the parts still running are cancelled: an interrupted driver call would
        // otherwise fail with its own message ("something unusual") instead of the deadline's.
        CircuitBreaker.State breaker = runtime.breaker().getState();
        HealthReport report = HealthRules.assemble(new HealthRules.Findings(config.name(), at, roundTrip.getNow(null),
                migrations.getNow(null), pooler.getNow(null), replicas.stream().map(r -> r.getNow(null)).toList(),
                unanswered, config.replica().maxLag(), viaPooler, pools(),
                breakers(), breaker == CircuitBreaker.State.OPEN || breaker == CircuitBreaker.State.FORCED_OPEN,
                "within the health timeout (" + Durations.ms(config.health().timeout()) + ")"));
        running.forEach(f -> f.cancel(true));
        if (!closed) {
            record(report);
        }
        return report;
    }

    private HealthReport down(Instant at, String reason) {
        return HealthRules.down(config.name(), at, reason, pools(), breakers(), runtime.replicas().stream()
                .map(n -> new ReplicaState(n.index(), n.maskedUrl(), false, false, null, false)).toList());
    }

    private synchronized void record(HealthReport report) {
        HealthReport previous = last;
        last = report;
        if (previous == null) {
            if (report.status() == HealthStatus.UP) {
                LOG.info("{}: health UP (latency {} ms)", config.name(), millis(report.latency()));
            } else {
                LOG.warn("{}: health {}: {}", config.name(), report.status(), String.join("; ", report.reasons()));
            }
        } else if (previous.status() != report.status()) {
            if (report.status() == HealthStatus.UP) {
                LOG.info("{}: health changed {} -> UP (latency {} ms)", config.name(), previous.status(),
                        millis(report.latency()));
            } else {
                LOG.warn("{}: health changed {} -> {}: {}", config.name(), previous.status(), report.status(),
                        String.join("; ", report.reasons()));
            }
        }
    }

    private static String millis(Duration d) {
        return d == null ? "?" : String.format(Locale.ROOT, "%.1f", d.toNanos() / 1e6);
    }

    private List<PoolState> pools() {
        List<PoolState> pools = new ArrayList<>(2);
        pools.add(pool(runtime.primaryPool()));
        runtime.replicas().forEach(n -> pools.add(pool(n.pool())));
        return pools;
    }

    private static PoolState pool(HikariDataSource ds) {
        HikariPoolMXBean mx = ds.getHikariPoolMXBean();
        if (mx == null) {
            return new PoolState(ds.getPoolName(), 0, 0, 0, ds.getMaximumPoolSize());
        }
        return new PoolState(ds.getPoolName(), mx.getActiveConnections(), mx.getIdleConnections(),
                mx.getThreadsAwaitingConnection(), ds.getMaximumPoolSize());
    }

    private Map<String, String> breakers() {
        Map<String, String> states = new LinkedHashMap<>();
        states.put(runtime.breaker().getName(), runtime.breaker().getState().name());
        runtime.replicas().forEach(n -> states.put(n.breaker().getName(), n.breaker().getState().name()));
        return states;
    }

    /** Stops the workers and removes the gauges. */
    @Override
    public void close() {
        closed = true;
        workers.shutdownNow();
        gauges.close();
    }
}
