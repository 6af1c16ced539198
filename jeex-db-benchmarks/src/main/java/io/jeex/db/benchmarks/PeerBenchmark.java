package io.jeex.db.benchmarks;

import io.jeex.db.benchmarks.peers.Library;
import io.jeex.db.benchmarks.peers.Workload;
import io.jeex.db.repository.AgentExecution;
import io.jeex.db.repository.DocumentVersion;
import io.jeex.db.repository.Json;
import io.jeex.db.repository.NewAgentExecution;
import io.jeex.db.repository.Project;
import io.jeex.db.repository.ProjectStatus;
import io.jeex.db.repository.User;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
    private final AtomicLong emails = new AtomicLong();
    private List<UUID> users;
    private UUID pageOwner;
    private Workload.PageKey secondPage;
    private List<NewAgentExecution> batch;

    @Setup(Level.Trial)
    public void setUp() {
        bench = new BenchDatabase(8);
        Fixtures fixtures = new Fixtures(bench.db);
        users = fixtures.users(1000);
        pageOwner = fixtures.user("owner");
        secondPage = fixtures.secondPage(pageOwner, 200);
        batch = fixtures.runningExecutions(fixtures.project(fixtures.user("batch")), BatchInsertBenchmark.ROWS,
                UUID.randomUUID(), true);
        fixtures.analyze();
        workload = Library.of(library).on(bench.db);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        bench.close();
    }

    @Benchmark
    public User createUser() {
        return workload.createUser("bench" + emails.incrementAndGet() + "@example.com", "Bench User");
    }

    @Benchmark
    public Optional<User> lookupUser() {
        return workload.userById(users.get(ThreadLocalRandom.current().nextInt(users.size())));
    }

    @Benchmark
    public DocumentVersion appendVersion(AppendState s) {
        return workload.appendVersion(s.project, "spec", s.content, Json.EMPTY, s.author);
    }

    @Benchmark
    public List<Project> projectPage() {
        return workload.projectPage(pageOwner, secondPage);
    }

    @Benchmark
    public Project changeStatus(StatusState s) {
        s.next = s.next == ProjectStatus.COMPLETED ? ProjectStatus.IN_PROGRESS : ProjectStatus.COMPLETED;
        return workload.changeStatus(s.project, s.next);
    }

    @Benchmark
    public AgentExecution completeExecution(CompleteState s) {
        return workload.completeExecution(s.next(), s.output);
    }

    /** Scores are rows per second. */
    @Benchmark
    @OperationsPerInvocation(BatchInsertBenchmark.ROWS)
    public int insertBatch() {
        return workload.insertExecutions(batch);
    }

    /** A thread's own document to append to (no thread waits for another's advisory lock). */
    @State(Scope.Thread)
    public static class AppendState {
        UUID author;
        UUID project;
        final String content = "A paragraph of the document, about two hundred characters long, as a step of the "
                + "wizard stores it: what the idea is, who it is for, what it needs, and what comes next in it.";

        @Setup(Level.Trial)
        public void setUp(PeerBenchmark b) {
            Fixtures fixtures = new Fixtures(b.bench.db);
            author = fixtures.user("author");
            project = fixtures.project(author);
        }
    }

    /** A thread's own project, toggled between in_progress and completed. */
    @State(Scope.Thread)
    public static class StatusState {
        UUID project;
        ProjectStatus next = ProjectStatus.IN_PROGRESS;

        @Setup(Level.Trial)
        public void setUp(PeerBenchmark b) {
            Fixtures fixtures = new Fixtures(b.bench.db);
            project = fixtures.project(fixtures.user("status"));
            b.bench.db.projects().changeStatus(project, ProjectStatus.IN_PROGRESS);
        }
    }

    /** A thread's own running agent executions, handed out in turn and re-armed before each iteration. */
    @State(Scope.Thread)
    public static class CompleteState {
        static final int RING = 40_000;
        final Json output = Json.of("{\"ok\": true, \"tokens\": 1234}");
        private Fixtures fixtures;
        private UUID[] ring;
        private int used;
        int wraps;

        @Setup(Level.Trial)
        public void setUp(PeerBenchmark b) {
            fixtures = new Fixtures(b.bench.db);
            ring = fixtures.runningExecutionIds(fixtures.project(fixtures.user("complete")), RING);
            fixtures.analyze();
        }

        @Setup(Level.Iteration)
        public void rearm() {
            fixtures.rearm(ring, used);
            used = 0;
        }

        UUID next() {
            if (used == ring.length) {
                // more calls in one iteration than the ring holds: re-armed here, inside the measurement
                fixtures.rearm(ring, used);
                used = 0;
                wraps++;
            }
            return ring[used++];
        }

        @TearDown(Level.Trial)
        public void report() {
            if (wraps > 0) {
                System.out.println("CompleteState: the ring of " + RING + " executions wrapped " + wraps
                        + " time(s) inside measured iterations; raise RING or shorten iterations");
            }
        }
    }
}
