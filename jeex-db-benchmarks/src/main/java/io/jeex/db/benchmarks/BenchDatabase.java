package io.jeex.db.benchmarks;

import io.jeex.db.JeexDatabase;
import io.jeex.db.JeexDbConfig;
import io.jeex.db.testkit.JeexPostgres;
import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.testkit.TestkitSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;

/**
 * One embedded PostgreSQL 18 and one migrated database per benchmark trial, with a
 * JeexDatabase (retry, breaker and Micrometer metrics on; the periodic health monitor off) whose pool the raw-JDBC baseline
 * shares. The embedded server runs with durability off (fsync, synchronous_commit), so the
 * figures show the client side's cost, where the library's overhead lives, at its largest.
 */
final class BenchDatabase implements AutoCloseable {

    final JeexPostgres postgres;
    final TestDatabase database;
    final JeexDatabase db;
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    BenchDatabase(int poolSize) {
        postgres = JeexPostgres.start(TestkitSettings.of(Map.of(TestkitSettings.PROVIDER, "embedded",
                TestkitSettings.PREFETCH, "0"), Map.of()));
        database = postgres.newDatabase();
        db = JeexDatabase.create(JeexDbConfig.builder(database.jdbcUrl()).user(database.user())
                .password(database.password()).poolSize(poolSize).maxOverflow(0)
                // The periodic health check is a background cost, not a per-call one: off, so that
                // its runs (every 30 s by default) do not land in random measurement iterations.
                .monitorInterval(java.time.Duration.ZERO).build(), registry);
    }

    @Override
    public void close() {
        db.close();
        database.close();
        postgres.shutdown();
    }
}
