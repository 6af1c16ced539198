package io.jeex.db;

import static io.jeex.db.codegen.Tables.PROJECTS;
import static io.jeex.db.codegen.Tables.USERS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jeex.db.error.UniqueViolationException;
import io.jeex.db.repository.Repositories;
import io.jeex.db.repository.User;
import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.testkit.junit.JeexDbTest;
import io.jeex.db.tx.TxOptions;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

@JeexDbTest
class MetricsTest {

    private static final String RAISE_40001 =
            "do $$ begin raise exception 'simulated serialization failure' using errcode = '40001'; end $$";

    @Test
    void aWorkloadOfCommitsRollbacksRetriesAndErrorsIsCountedExactlyByEveryMeter(TestDatabase testDb) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (JeexDatabase db = JeexDatabase.create(TestConfigs.forDatabase(testDb).build(), registry)) {
            for (String email : List.of("a@example.com", "b@example.com")) {
                db.transaction(TxOptions.named("create"), tx -> tx.dsl().insertInto(USERS)
                        .set(USERS.EMAIL, email).set(USERS.NAME, "n").execute());
            }
            assertThatThrownBy(() -> db.transaction(TxOptions.named("oops"), tx -> {
                tx.dsl().insertInto(USERS).set(USERS.EMAIL, "c@example.com").set(USERS.NAME, "n").execute();
                throw new IllegalStateException("the work changed its mind");
            })).isInstanceOf(IllegalStateException.class);
            db.transaction(TxOptions.named("retried"), tx -> {
                if (tx.attempt() == 1) {
                    tx.dsl().execute(RAISE_40001);
                }
                return tx.dsl().insertInto(USERS).set(USERS.EMAIL, "d@example.com").set(USERS.NAME, "n").execute();
            });
            assertThatThrownBy(() -> db.transaction(TxOptions.named("dup"), tx -> tx.dsl().insertInto(USERS)
                    .set(USERS.EMAIL, "A@example.com").set(USERS.NAME, "n").execute()))
                    .isInstanceOf(UniqueViolationException.class);
            Repositories me = db.actingAsNewUser();
            User plain = me.users().create("plain@example.com", "Plain SQL"); // pre-rendered plain SQL
            assertThat(me.users().byId(plain.id())).isPresent();
            db.readOnly(tx -> tx.dsl().fetchCount(PROJECTS));

            // transactions: name x outcome x category
            assertThat(txCount(registry, "create", "committed", "none")).isEqualTo(2);
            assertThat(txCount(registry, "oops", "rolled_back", "work_exception")).isEqualTo(1);
            assertThat(txCount(registry, "retried", "committed", "none")).isEqualTo(1);
            assertThat(txCount(registry, "dup", "failed", "unique_violation")).isEqualTo(1);
            assertThat(txCount(registry, "users.create", "committed", "none")).isEqualTo(1);
            assertThat(txCount(registry, "users.byId", "committed", "none")).isEqualTo(1);
            assertThat(txCount(registry, "read_only", "committed", "none")).isEqualTo(1);
            assertThat(registry.find("jeex.db.transaction").timers()).hasSize(7);
            assertThat(registry.get("jeex.db.transaction.retries").tag("pool", "test")
                    .tag("category", "serialization_failure").counter().count()).isEqualTo(1.0);
            assertThat(registry.find("jeex.db.transaction.retries").counters())
                    .as("one series per retryable category, from the start")
                    .extracting(c -> c.getId().getTag("category"))
                    .containsExactlyInAnyOrder("serialization_failure", "deadlock", "lock_not_available",
                            "connection_failure", "pool_timeout", "not_primary");
            assertThat(registry.find("jeex.db.transaction.retries").counters().stream()
                    .mapToDouble(io.micrometer.core.instrument.Counter::count).sum()).isEqualTo(1.0);

            // statements: operation x table x SQLSTATE class
            assertThat(queryCount(registry, "INSERT", "users", "none")).as("4 typed + 1 plain").isEqualTo(5);
            assertThat(queryCount(registry, "INSERT", "users", "23")).isEqualTo(1);
            assertThat(queryCount(registry, "OTHER", "other", "40")).isEqualTo(1);
            assertThat(queryCount(registry, "SELECT", "users", "none")).isEqualTo(1);
            assertThat(queryCount(registry, "SELECT", "projects", "none")).isEqualTo(1);
            assertThat(registry.find("db.client.operation.duration").timers()).hasSize(5);
            assertThat(registry.find("db.client.operation.duration").timers().stream()
                    .mapToLong(Timer::count).sum()).isEqualTo(9);

            // Resilience4j: 8 outermost calls through the retry, 9 attempts through the breaker (8 recorded)
            assertThat(count(registry, "resilience4j.retry.calls", "successful_without_retry")).isEqualTo(5);
            assertThat(count(registry, "resilience4j.retry.calls", "successful_with_retry")).isEqualTo(1);
            assertThat(count(registry, "resilience4j.retry.calls", "failed_without_retry")).isEqualTo(2);
            assertThat(count(registry, "resilience4j.retry.calls", "failed_with_retry")).isZero();
            assertThat(registry.get("resilience4j.circuitbreaker.calls").tag("name", "test").tag("kind", "successful")
                    .timer().count()).as("constraint and contention failures count as the database's successes; "
                            + "the work's own exception ('oops') is not recorded at all")
                    .isEqualTo(8);
            assertThat(registry.get("resilience4j.circuitbreaker.calls").tag("name", "test").tag("kind", "failed")
                    .timer().count()).isZero();
            assertThat(registry.get("resilience4j.circuitbreaker.state").tag("name", "test").tag("state", "closed")
                    .gauge().value()).isEqualTo(1.0);

            // HikariCP meters of the primary pool; migrations connect directly, without a pool
            assertThat(registry.get("hikaricp.connections.max").tag("pool", "test").gauge().value()).isEqualTo(3.0);
            assertThat(registry.find("hikaricp.connections.max").tag("pool", "test-migration").gauge()).isNull();
            assertThat(registry.get("hikaricp.connections.acquire").tag("pool", "test").timer().count())
                    .as("one borrow per attempt").isEqualTo(9);

            // bounded tags: no SQL, no values anywhere
            Set<String> tagValues = registry.getMeters().stream().map(Meter::getId)
                    .flatMap(id -> id.getTags().stream()).map(Tag::getValue).collect(Collectors.toSet());
            assertThat(tagValues).as("no SQL text (it has spaces), no email, no placeholder")
                    .noneMatch(v -> v.contains("@") || v.contains(" ") || v.contains("$$") || v.contains("?"));
        }
    }

    @Test
    void aTransactionThatCannotGetAConnectionIsCountedAsAFailureOfItsCategory(TestDatabase testDb) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        String unreachable = "jdbc:postgresql://127.0.0.1:1/none";
        try (JeexDatabase db = JeexDatabase.create(TestConfigs.forUrl(testDb, unreachable)
                .pool(p -> p.withAcquireTimeout(java.time.Duration.ofMillis(500))
                .withConnectTimeout(java.time.Duration.ofSeconds(1)))
                .retry(r -> r.withMaxAttempts(1)).build(), registry)) {
            assertThatThrownBy(() -> db.transaction(TxOptions.named("lost"), tx -> tx.dsl().fetchCount(USERS)));
            assertThat(txCount(registry, "lost", "failed", "connection_failure")).isEqualTo(1);
        }
    }

    @Test
    void closeRemovesEveryMeterOfTheInstanceAndANewInstanceOfTheSameNamePublishesItsOwn(TestDatabase testDb) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (JeexDatabase db = JeexDatabase.create(TestConfigs.forDatabase(testDb)
                // the "replica" is the primary itself: only REPLICA consistency sends reads to a server not in recovery
                .replica(r -> r.withUrl(testDb.jdbcUrl()).withReadConsistency(io.jeex.db.ReadConsistency.REPLICA))
                .build(), registry)) {
            db.transaction(TxOptions.named("write"), tx -> tx.dsl().fetchCount(USERS));
            org.awaitility.Awaitility.await("the replica's first probe").atMost(java.time.Duration.ofSeconds(30))
                    .until(() -> db.health().replicas().get(0).serving());
            db.readOnly(tx -> tx.dsl().fetchCount(USERS));
            db.health();
            assertThat(names(registry)).contains("jeex.db.transaction", "db.client.operation.duration",
                    "resilience4j.retry.calls", "resilience4j.circuitbreaker.state", "hikaricp.connections.max",
                    "jeex.db.health.status");
            // the replica pool's HikariCP meters
            assertThat(registry.get("hikaricp.connections.max").tag("pool", "test-replica").gauge().value())
                    .isEqualTo(3.0);
            assertThat(registry.get("hikaricp.connections.acquire").tag("pool", "test-replica").timer().count())
                    .as("one borrow for the read-only transaction").isEqualTo(1);
            assertThat(registry.get("resilience4j.circuitbreaker.state").tag("name", "test-replica")
                    .tag("state", "closed").gauge().value()).isEqualTo(1.0);
        }
        assertThat(registry.getMeters()).as("meters left after close: %s", names(registry)).isEmpty();

        try (JeexDatabase again = JeexDatabase.create(TestConfigs.forDatabase(testDb).build(), registry)) {
            again.runtime().breaker().transitionToOpenState();
            assertThat(registry.get("resilience4j.circuitbreaker.state").tag("name", "test").tag("state", "open")
                    .gauge().value()).as("the new instance's breaker, not the closed one's").isEqualTo(1.0);
            assertThat(registry.get("hikaricp.connections.max").tag("pool", "test").gauge().value()).isEqualTo(3.0);
            assertThat(registry.find("hikaricp.connections.max").tag("pool", "test-replica").gauge())
                    .as("no replica in this instance").isNull();
        }
        assertThat(registry.getMeters()).as("meters left after close: %s", names(registry)).isEmpty();
    }

    private static Set<String> names(SimpleMeterRegistry registry) {
        return registry.getMeters().stream().map(m -> m.getId().getName()).collect(Collectors.toSet());
    }

    private static long txCount(SimpleMeterRegistry registry, String name, String outcome, String category) {
        Timer t = registry.find("jeex.db.transaction").tag("name", name).tag("outcome", outcome)
                .tag("category", category).timer();
        return t == null ? 0 : t.count();
    }

    private static long queryCount(SimpleMeterRegistry registry, String op, String table, String error) {
        Timer t = registry.find("db.client.operation.duration").tag("db.operation.name", op)
                .tag("db.collection.name", table).tag("error.type", error).timer();
        return t == null ? 0 : t.count();
    }

    private static double count(SimpleMeterRegistry registry, String name, String kind) {
        var c = registry.find(name).tag("name", "test").tag("kind", kind).functionCounter();
        return c == null ? 0 : c.count();
    }
}
