package io.jeex.db.benchmarks;

import io.jeex.db.benchmarks.peers.JeexWorkload;
import io.jeex.db.benchmarks.peers.Workload;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The repositories' mixed single-row workload ({@link Mix}) with four times more client threads
 * than PgBouncer has server connections: {@value #THREADS} threads on a pool of
 * {@value #THREADS} connections, either straight to PostgreSQL ({@code direct}) or to the shipped
 * PgBouncer in transaction mode with {@value #SERVER_CONNECTIONS} server connections
 * ({@code pgbouncer}; the library's {@code pgBouncer} switch on: no server-side prepared
 * statements, statement timeouts set per transaction). A third route, {@code direct-bouncer-mode},
 * runs straight to PostgreSQL with that switch on: it separates what the switch costs from what
 * the pooler costs. {@code pgbouncer-prepared} is PgBouncer with the library's
 * {@code pgBouncerPreparedStatements} on as well (needs PgBouncer 1.21+: prepared statements kept
 * per server connection, {@code max_prepared_statements} of the shipped file), and
 * {@code direct-bouncer-mode-prepared} its counterpart straight to PostgreSQL. Throughput in calls
 * per millisecond, and {@code Mode.SampleTime} for the latency percentiles of one call.
 */
@State(Scope.Benchmark)
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(PgBouncerBenchmark.THREADS)
public class PgBouncerBenchmark {

    static final int SERVER_CONNECTIONS = 2;
    static final int THREADS = 4 * SERVER_CONNECTIONS;

    /**
     * {@code direct}, {@code pgbouncer}, {@code pgbouncer-prepared}, {@code direct-bouncer-mode} or
     * {@code direct-bouncer-mode-prepared}.
     */
    @Param({"direct", "pgbouncer", "pgbouncer-prepared", "direct-bouncer-mode", "direct-bouncer-mode-prepared"})
    public String route;

    /**
     * PgBouncer's server connections ({@code default_pool_size}); {@value #SERVER_CONNECTIONS} by
     * default, the requirement's 4 client threads per server connection. {@code -p
     * serverConnections=8} gives every client thread its own: the hop through the pooler without
     * the multiplexing.
     */
    @Param({"" + SERVER_CONNECTIONS})
    public int serverConnections;

    BenchDatabase bench;
    private Workload workload;
    private SharedFixture shared;

    @Setup(Level.Trial)
    public void setUp() {
        bench = switch (route) {
            case "pgbouncer" -> BenchDatabase.throughPgBouncer(THREADS, serverConnections);
            case "pgbouncer-prepared" -> BenchDatabase.throughPgBouncerWithPreparedStatements(THREADS,
                    serverConnections);
            case "direct-bouncer-mode" -> BenchDatabase.directInPgBouncerMode(THREADS);
            case "direct-bouncer-mode-prepared" -> BenchDatabase.directInPgBouncerMode(THREADS, true);
            default -> new BenchDatabase(THREADS);
        };
        shared = new SharedFixture(bench.db);
        workload = new JeexWorkload(bench.db);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        bench.close();
    }

    @Benchmark
    public Object mix(PerThread t) {
        return Mix.run(workload, shared, t.own, t.step++);
    }

    /** A thread's own rows and its place in the mix. */
    @State(Scope.Thread)
    public static class PerThread {
        ThreadFixture own;
        long step;

        @Setup(Level.Trial)
        public void setUp(PgBouncerBenchmark b) {
            own = new ThreadFixture(b.bench.db, 2_000);
        }

        @Setup(Level.Iteration)
        public void rearm() {
            own.rearm();
        }
    }
}
