package io.jeex.db.benchmarks;

import io.jeex.db.repository.Json;
import io.jeex.db.repository.User;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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
 * Single-row insert and primary-key lookup of a user: through {@code db.actingAs(id).users()} (a managed
 * transaction with retry, circuit breaker, metrics, error translation, validation and mapping
 * to an immutable record) against plain pgjdbc running the same SQL on the same HikariCP pool
 * and mapping to the same record. Run with {@code -t 1} and {@code -t 4}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class SingleRowBenchmark {

    /** What jOOQ renders for {@code users().create(...)}, written out by hand. */
    static final String INSERT = "insert into users (email, name, profile_data) values (?, ?, cast(? as jsonb)) "
            + "returning id, email, name, profile_data, created_at, last_login_at, updated_at";
    /** What jOOQ renders for {@code users().byId(...)}. */
    static final String SELECT = "select id, email, name, profile_data, created_at, last_login_at, updated_at "
            + "from users where id = ?";

    private final AtomicLong sequence = new AtomicLong();
    private BenchDatabase bench;
    private DataSource pool;
    private List<UUID> ids;
    private org.jooq.DSLContext bare;

    @Setup(Level.Trial)
    public void setUp() {
        bench = new BenchDatabase(8);
        pool = bench.db.dataSource();
        bare = org.jooq.impl.DSL.using(pool, org.jooq.SQLDialect.POSTGRES,
                new org.jooq.conf.Settings().withExecuteLogging(false));
        ids = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            ids.add(bench.db.actingAsNewUser().users().create("seed" + i + "@example.com", "Seed " + i).id());
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        bench.close();
    }

    private String nextEmail() {
        return "bench" + sequence.incrementAndGet() + "@example.com";
    }

    private UUID anyId() {
        return ids.get(ThreadLocalRandom.current().nextInt(ids.size()));
    }

    @Benchmark
    public User insertRepository() {
        return bench.db.actingAsNewUser().users().create(nextEmail(), "Bench User"); // a sign-up acts as the new user
    }

    @Benchmark
    public User insertRawJdbc() throws SQLException {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(INSERT)) {
            ps.setString(1, nextEmail());
            ps.setString(2, "Bench User");
            ps.setString(3, "{}");
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return map(rs);
            }
        }
    }

    @Benchmark
    public Optional<User> lookupRepository() {
        UUID id = anyId();
        return bench.db.actingAs(id).users().byId(id); // row-level security: a user reads their own row
    }

    @Benchmark
    public Optional<User> lookupRawJdbc() throws SQLException {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(SELECT)) {
            ps.setObject(1, anyId());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(map(rs)) : Optional.empty();
            }
        }
    }

    /** Diagnostic: plain jOOQ on the pool, no listeners, default settings. */
    @Benchmark
    public Object lookupBareJooq() {
        return bare.resultQuery(SELECT, anyId()).fetchOptional();
    }

    private static User map(ResultSet rs) throws SQLException {
        var lastLogin = rs.getObject(6, java.time.OffsetDateTime.class);
        return new User(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3),
                Json.ofStored(rs.getString(4)), rs.getObject(5, java.time.OffsetDateTime.class).toInstant(),
                Optional.ofNullable(lastLogin).map(java.time.OffsetDateTime::toInstant),
                rs.getObject(7, java.time.OffsetDateTime.class).toInstant());
    }
}
