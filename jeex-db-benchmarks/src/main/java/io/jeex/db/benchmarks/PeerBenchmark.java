package io.jeex.db.benchmarks;

import io.jeex.db.benchmarks.peers.Library;
import io.jeex.db.benchmarks.peers.Workload;
import io.jeex.db.repository.AgentExecution;
import io.jeex.db.repository.DocumentVersion;
import io.jeex.db.repository.Json;
import io.jeex.db.repository.Project;
import io.jeex.db.repository.User;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The repository workload through each library ({@link Library}: raw pgjdbc, plain jOOQ, jdbi,
 * Spring's JdbcTemplate, jeex-db), on the same embedded PostgreSQL 18 and the same HikariCP pool
 * (the {@code JeexDatabase}'s, 8 connections), the same SQL semantics and the same records
 * ({@link Workload}). Every trial starts its own server, so libraries never share a table's
 * history. Run with {@code -t 1} and {@code -t 4}; {@link Compare} runs it in rounds and gives
 * each library's ratio to raw pgjdbc with its spread across rounds.
 *
 * <p>Per-thread fixtures keep threads off each other's rows: each thread appends to its own
 * document, toggles its own project between in_progress and completed, and completes its own
 * running agent executions (re-armed between iterations, outside the measurement).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PeerBenchmark {

    /** The library under test. */
    @Param({"raw", "jooq", "jdbi", "spring", "jeex"})
    public String library;

    BenchDatabase bench;
    Workload workload;
    private SharedFixture shared;

    @Setup(Level.Trial)
    public void setUp() {
        bench = new BenchDatabase(8);
        shared = new SharedFixture(bench.db);
        workload = Library.of(library).on(bench.db);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        bench.close();
    }

    @Benchmark
    public User createUser() {
        return workload.createUser(shared.nextEmail(), "Bench User");
    }

    @Benchmark
    public Optional<User> lookupUser() {
        return workload.userById(shared.anyUser());
    }

    @Benchmark
    public DocumentVersion appendVersion(PerThread t) {
        return workload.appendVersion(t.own.appendProject, "spec", ThreadFixture.CONTENT, Json.EMPTY, t.own.author);
    }

    @Benchmark
    public List<Project> projectPage() {
        return workload.projectPage(shared.pageOwner, shared.secondPage);
    }

    @Benchmark
    public Project changeStatus(PerThread t) {
        return workload.changeStatus(t.own.statusProject, t.own.nextStatus());
    }

    @Benchmark
    public AgentExecution completeExecution(PerThread t) {
        return workload.completeExecution(t.own.nextExecution(), ThreadFixture.OUTPUT);
    }

    /** Scores are rows per second. */
    @Benchmark
    @OperationsPerInvocation(BatchInsertBenchmark.ROWS)
    public int insertBatch() {
        return workload.insertExecutions(shared.batch);
    }

    /**
     * A thread's own rows ({@link ThreadFixture}); its executions are re-armed before each
     * iteration, outside the measurement. The ring holds more than a thread completes in one
     * iteration of 2 s; if it is used up anyway, it is re-armed inside the measurement and the
     * trial says so at its end.
     */
    @State(Scope.Thread)
    public static class PerThread {
        static final int RING = 40_000;
        ThreadFixture own;

        @Setup(Level.Trial)
        public void setUp(PeerBenchmark b) {
            own = new ThreadFixture(b.bench.db, RING);
        }

        @Setup(Level.Iteration)
        public void rearm() {
            own.rearm();
        }

        @TearDown(Level.Trial)
        public void report() {
            if (own.wraps() > 0) {
                System.out.println("PeerBenchmark: a thread used up its " + RING + " running executions "
                        + own.wraps() + " time(s) inside measured iterations; raise RING or shorten the iterations");
            }
        }
    }
}
