package io.jeex.db.benchmarks;

import io.jeex.db.JeexDatabase;
import io.jeex.db.JeexDbConfig;
import io.jeex.db.repository.AgentExecution;
import io.jeex.db.repository.Project;
import io.jeex.db.repository.Repositories;
import io.jeex.db.repository.User;
import io.jeex.db.testkit.JeexPostgres;
import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.testkit.TestkitSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the row-level security policies (migration V3) cost: the same repository calls, acting as
 * a user, as the testkit's application role (no superuser, so the policies apply), on two databases
 * of one server: one with the policies ({@code ...On}), one where they were switched off after
 * migrating ({@code ...Off}: ALTER TABLE ... DISABLE ROW LEVEL SECURITY as the owner). Everything
 * else is the same: the code path (the acting user is set in both), the data (1000 users with a
 * project each), the pool size, the server. Each pair runs as a JMH group, its two methods at the
 * same time on one thread each, so that both see the same load of a shared, noisy machine; the
 * ratio of the two scores is the policies' cost:
 * <ul>
 *   <li>primary-key lookups: {@code users().byId} (policy {@code id = acting user}) and
 *       {@code projects().byId} ({@code created_by = acting user}), one round trip each;</li>
 *   <li>single-row inserts: {@code users().create} (WITH CHECK {@code id = acting user}, one round
 *       trip) and {@code agentExecutions().start} (WITH CHECK: an EXISTS probe of the project's
 *       owner; a transaction of its own).</li>
 * </ul>
 *
 * <p>The group {@code actingUserCost} measures the acting user itself, with plain JDBC (see there).
 *
 * <p>{@code java -jar jeex-db-benchmarks/target/benchmarks.jar RowLevelSecurityBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class RowLevelSecurityBenchmark {

    private static final List<String> TABLES = List.of("users", "projects", "document_versions", "agent_executions",
            "exports");

    /** One database and its data. */
    static final class Side {
        final TestDatabase database;
        final JeexDatabase db;
        final List<User> users = new ArrayList<>();
        final List<Project> projects = new ArrayList<>();

        Side(JeexPostgres postgres, boolean policies) {
            database = postgres.newDatabase();
            if (!policies) {
                for (String table : TABLES) {
                    database.dsl().execute("ALTER TABLE " + table + " NO FORCE ROW LEVEL SECURITY");
                    database.dsl().execute("ALTER TABLE " + table + " DISABLE ROW LEVEL SECURITY");
                }
            }
            db = JeexDatabase.create(JeexDbConfig.builder(database.jdbcUrl())
                    .user(database.appUser()).password(database.appPassword())
                    .credentials(c -> c.withMigrationUser(database.user()).withMigrationPassword(database.password()))
                    .poolSize(4).pool(p -> p.withMaxOverflow(0))
                    .health(h -> h.withMonitorInterval(java.time.Duration.ZERO)).build());
            for (int i = 0; i < 1000; i++) {
                Repositories as = db.actingAsNewUser();
                User u = as.users().create("seed" + i + "@example.com", "Seed " + i);
                users.add(u);
                projects.add(as.projects().create(u.id(), "Project " + i, "en"));
            }
        }

        void close() {
            db.close();
            database.close();
        }
    }

    private final AtomicLong sequence = new AtomicLong();
    private JeexPostgres postgres;
    private Side on;
    private Side off;

    @Setup(Level.Trial)
    public void setUp() {
        postgres = JeexPostgres.start(TestkitSettings.of(Map.of(TestkitSettings.PROVIDER, "embedded",
                TestkitSettings.PREFETCH, "0"), Map.of()));
        on = new Side(postgres, true);
        off = new Side(postgres, false);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        on.close();
        off.close();
        postgres.shutdown();
    }

    private static int any(Side side) {
        return ThreadLocalRandom.current().nextInt(side.users.size());
    }

    private static Optional<User> userLookup(Side side) {
        UUID id = side.users.get(any(side)).id();
        return side.db.actingAs(id).users().byId(id);
    }

    private static Optional<Project> projectLookup(Side side) {
        Project p = side.projects.get(any(side));
        return side.db.actingAs(p.ownerId()).projects().byId(p.id());
    }

    private User userInsert(Side side) {
        return side.db.actingAsNewUser().users().create("bench" + sequence.incrementAndGet() + "@example.com", "Bench");
    }

    private static AgentExecution executionInsert(Side side) {
        Project p = side.projects.get(any(side));
        return side.db.actingAs(p.ownerId()).agentExecutions().start(p.id(), "writer", UUID.randomUUID(), null);
    }

    /*
     * What it costs to act as a user, with plain JDBC on the policy-free database, three ways at
     * once: no acting user; the acting user in the same round trip as the statement (what the
     * repositories' one-statement operations do); BEGIN + SET LOCAL + the statement + COMMIT.
     */

    private static final String LOOKUP = "SELECT id, email, name FROM users WHERE id = ?";

    @Benchmark
    @Group("actingUserCost")
    public boolean lookupWithoutActingUser() throws java.sql.SQLException {
        UUID id = off.users.get(any(off)).id();
        try (java.sql.Connection c = off.db.dataSource().getConnection();
             java.sql.PreparedStatement ps = c.prepareStatement(LOOKUP)) {
            ps.setObject(1, id);
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    @Benchmark
    @Group("actingUserCost")
    public boolean lookupActingInTheSameRoundTrip() throws java.sql.SQLException {
        UUID id = off.users.get(any(off)).id();
        try (java.sql.Connection c = off.db.dataSource().getConnection();
             java.sql.PreparedStatement ps = c.prepareStatement(
                     "SELECT set_config('jeex.acting_user_id', ?, true); " + LOOKUP)) {
            ps.setString(1, id.toString());
            ps.setObject(2, id);
            ps.execute();
            ps.getMoreResults();
            try (java.sql.ResultSet rs = ps.getResultSet()) {
                return rs.next();
            }
        }
    }

    @Benchmark
    @Group("actingUserCost")
    public boolean lookupActingInATransaction() throws java.sql.SQLException {
        UUID id = off.users.get(any(off)).id();
        try (java.sql.Connection c = off.db.dataSource().getConnection()) {
            c.setAutoCommit(false);
            try (java.sql.Statement s = c.createStatement()) {
                s.execute("SET LOCAL jeex.acting_user_id = '" + id + "'");
            }
            boolean found;
            try (java.sql.PreparedStatement ps = c.prepareStatement(LOOKUP)) {
                ps.setObject(1, id);
                try (java.sql.ResultSet rs = ps.executeQuery()) {
                    found = rs.next();
                }
            }
            c.commit();
            return found;
        }
    }

    @Benchmark
    @Group("userLookup")
    public Optional<User> userLookupOn() {
        return userLookup(on);
    }

    @Benchmark
    @Group("userLookup")
    public Optional<User> userLookupOff() {
        return userLookup(off);
    }

    @Benchmark
    @Group("projectLookup")
    public Optional<Project> projectLookupOn() {
        return projectLookup(on);
    }

    @Benchmark
    @Group("projectLookup")
    public Optional<Project> projectLookupOff() {
        return projectLookup(off);
    }

    @Benchmark
    @Group("userInsert")
    public User userInsertOn() {
        return userInsert(on);
    }

    @Benchmark
    @Group("userInsert")
    public User userInsertOff() {
        return userInsert(off);
    }

    @Benchmark
    @Group("executionInsert")
    public AgentExecution executionInsertOn() {
        return executionInsert(on);
    }

    @Benchmark
    @Group("executionInsert")
    public AgentExecution executionInsertOff() {
        return executionInsert(off);
    }
}
