package io.jeex.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jeex.db.JeexDatabase;
import io.jeex.db.JeexDbConfig;
import io.jeex.db.error.DatabaseUnavailableException;
import io.jeex.db.error.JeexDbException;
import io.jeex.db.error.OutcomeUnknownException;
import io.jeex.db.health.HealthReport;
import io.jeex.db.health.HealthReport.ReplicaState;
import io.jeex.db.health.HealthStatus;
import io.jeex.db.repository.Repositories;
import io.jeex.db.repository.User;
import io.jeex.db.testkit.ReplicatedPostgres;
import io.jeex.db.tx.TxOptions;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Two real streaming standbys of an embedded PostgreSQL 18 ({@link ReplicatedPostgres}): reads
 * follow the replica with the least lag and fall back to the primary; a failover through a
 * multi-host URL loses no acknowledged write; a write that reaches a standby is refused clearly.
 */
class ReplicasAndFailoverTest {

    private static final Duration MAX_LAG = Duration.ofMillis(300);
    private static final Duration PROBE = Duration.ofMillis(50);

    @Test
    void readsMoveToTheOtherReplicaThenToThePrimaryAndStillSeeTheCallersOwnWrites() throws Exception {
        try (ReplicatedPostgres cluster = ReplicatedPostgres.start(2)) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            JeexDbConfig config = ServiceConfigs.defaults(cluster.jdbcUrl(0), cluster.user(), null).name("repl")
                    .replica(r -> r.withUrls(List.of(cluster.jdbcUrl(1), cluster.jdbcUrl(2))).withMaxLag(MAX_LAG)
                            .withLagProbeInterval(PROBE)).build();
            try (JeexDatabase db = JeexDatabase.create(config, registry)) {
                db.migrate();
                Repositories mine = db.actingAsNewUser();
                User ada = mine.users().create("ada@example.com", "Ada");
                awaitServing(db, true, true);
                assertThat(readPorts(db)).as("both replicas serve reads").isSubsetOf(cluster.port(1), cluster.port(2));

                cluster.pauseReplay(1);
                Repositories bobs = db.actingAsNewUser();
                User bob = bobs.users().create("bob@example.com", "Bob");
                awaitServing(db, false, true);
                assertThat(readPorts(db)).as("replica 0 lags: reads go to the other").containsOnly(cluster.port(2));
                assertThat(bobs.users().byId(bob.id())).as("read-your-writes on the replica chosen").isPresent();
                HealthReport oneLags = db.health();
                assertThat(oneLags.status()).isEqualTo(HealthStatus.DEGRADED);
                assertThat(oneLags.replicas()).extracting(ReplicaState::index, ReplicaState::url, ReplicaState::serving)
                        .containsExactly(org.assertj.core.groups.Tuple.tuple(0, cluster.jdbcUrl(1), false),
                                org.assertj.core.groups.Tuple.tuple(1, cluster.jdbcUrl(2), true));
                assertThat(oneLags.replicas().get(0).lag()).isGreaterThan(MAX_LAG);
                assertThat(oneLags.reasons()).anyMatch(r -> r.startsWith("read replica 0 (" + cluster.jdbcUrl(1)
                        + ") lags ") && r.contains("reads skip it"));
                assertThat(registry.get("jeex.db.replica.lag").tag("pool", "repl").tag("replica", "0").gauge().value())
                        .isGreaterThan(MAX_LAG.toMillis() / 1000.0);

                cluster.pauseReplay(2);
                Repositories cyds = db.actingAsNewUser();
                User cyd = cyds.users().create("cyd@example.com", "Cyd");
                awaitServing(db, false, false);
                assertThat(readPorts(db)).as("both lag: reads go to the primary").containsOnly(cluster.port(0));
                assertThat(cyds.users().byId(cyd.id())).as("read-your-writes on the primary").isPresent();
                assertThat(mine.users().byId(ada.id())).isPresent();

                cluster.resumeReplay(1);
                cluster.resumeReplay(2);
                awaitServing(db, true, true);
                assertThat(db.health().status()).isEqualTo(HealthStatus.UP);
                assertThat(probeThreads()).as("the lag probes run while the instance is open").isNotEmpty();
            }
            Awaitility.await("no lag probe thread left after close()").atMost(Duration.ofSeconds(10))
                    .until(() -> probeThreads().isEmpty());
        }
    }

    @Test
    void failoverThroughAMultiHostUrlLosesNoAcknowledgedWriteAndAppliesNoneTwice() throws Exception {
        // standby 1 is synchronous: a commit is acknowledged only once standby 1 has it, so
        // killing the primary (no shutdown, no last WAL sent) may lose no acknowledged write
        try (ReplicatedPostgres cluster = ReplicatedPostgres.start(2, true)) {
            try (Connection c = DriverManager.getConnection(cluster.jdbcUrl(0), cluster.user(), "");
                 Statement s = c.createStatement()) {
                s.execute("create table failover_log (writer int not null, seq int not null)");
            }
            JeexDbConfig config = ServiceConfigs.defaults(cluster.multiHostUrl(0, 1), cluster.user(), null)
                    .name("failover").pool(p -> p.withConnectTimeout(Duration.ofSeconds(2)))
                    .breaker(b -> b.withWaitInOpenState(Duration.ofSeconds(1)))
                    .replica(r -> r.withUrls(List.of(cluster.jdbcUrl(1), cluster.jdbcUrl(2))).withMaxLag(MAX_LAG)
                            .withLagProbeInterval(PROBE)).build();
            try (JeexDatabase db = JeexDatabase.create(config)) {
                AtomicBoolean stop = new AtomicBoolean();
                Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
                Set<Long> unknown = ConcurrentHashMap.newKeySet();
                AtomicInteger failed = new AtomicInteger();
                AtomicInteger reads = new AtomicInteger();
                AtomicLong lastAck = new AtomicLong(System.nanoTime());
                AtomicLong firstAckAfterPromote = new AtomicLong();
                AtomicLong promotedAt = new AtomicLong(Long.MAX_VALUE);
                ConcurrentHashMap<Integer, Throwable> readErrors = new ConcurrentHashMap<>();
                List<Thread> threads = new ArrayList<>();
                for (int w = 0; w < 4; w++) {
                    int writer = w;
                    threads.add(new Thread(() -> {
                        for (int seq = 0; !stop.get(); seq++) {
                            long key = (long) writer << 32 | seq;
                            int n = seq;
                            try {
                                db.transaction(TxOptions.named("failover_write"), tx -> tx.dsl().execute(
                                        "insert into failover_log (writer, seq) values (?, ?)", writer, n));
                                acknowledged.add(key);
                                long now = System.nanoTime();
                                lastAck.set(now);
                                if (now > promotedAt.get()) {
                                    firstAckAfterPromote.compareAndSet(0, now);
                                }
                            } catch (OutcomeUnknownException e) {
                                unknown.add(key);
                            } catch (JeexDbException e) {
                                failed.incrementAndGet();
                                // an open breaker fails at once: do not spin on the shared cores
                                java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
                            }
                        }
                    }, "failover-writer-" + w));
                }
                threads.add(new Thread(() -> {
                    while (!stop.get()) {
                        try {
                            db.readOnly(tx -> tx.dsl().fetchCount(tx.dsl().selectOne()));
                            reads.incrementAndGet();
                        } catch (JeexDbException e) {
                            readErrors.putIfAbsent(readErrors.size(), e);
                        }
                    }
                }, "failover-reader"));
                threads.forEach(Thread::start);
                Awaitility.await("writes before the failover").atMost(Duration.ofSeconds(30))
                        .until(() -> acknowledged.size() >= 200);

                long killed = System.nanoTime();
                cluster.kill(0);
                cluster.promote(1);
                promotedAt.set(System.nanoTime());
                Awaitility.await("writes resume on the promoted standby").atMost(Duration.ofSeconds(60))
                        .until(() -> firstAckAfterPromote.get() != 0);
                int before = acknowledged.size();
                Awaitility.await("more writes on the new primary").atMost(Duration.ofSeconds(30))
                        .until(() -> acknowledged.size() >= before + 200);
                stop.set(true);
                for (Thread t : threads) {
                    t.join(60_000);
                }
                Duration paused = Duration.ofNanos(firstAckAfterPromote.get() - killed);
                Duration afterPromote = Duration.ofNanos(firstAckAfterPromote.get() - promotedAt.get());
                Duration promotion = Duration.ofNanos(promotedAt.get() - killed);
                System.out.printf("failover: writes paused %d ms (kill to first acknowledged write on the new primary; "
                                + "promotion took %d ms, first write %d ms after it); acknowledged %d, failed %d, "
                                + "outcome unknown %d, reads %d%n", paused.toMillis(), promotion.toMillis(),
                        afterPromote.toMillis(), acknowledged.size(), failed.get(), unknown.size(), reads.get());
                // the bound (README, docs/scaling.md): the breaker's wait in the open state, or the
                // connect timeout, plus the retry's largest backoff, plus 1 s
                Duration bound = Duration.ofSeconds(2).plus(Duration.ofSeconds(1)).plus(Duration.ofSeconds(1));
                assertThat(afterPromote).as("writes resume within the bound after the promotion").isLessThan(bound);

                Set<Long> stored = new HashSet<>();
                int rows = 0;
                try (Connection c = DriverManager.getConnection(cluster.jdbcUrl(1), cluster.user(), "");
                     Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("select writer, seq from failover_log")) {
                    while (rs.next()) {
                        stored.add((long) rs.getInt(1) << 32 | rs.getInt(2));
                        rows++;
                    }
                }
                assertThat(rows).as("no write applied twice").isEqualTo(stored.size());
                Set<Long> lost = new HashSet<>(acknowledged);
                lost.removeAll(stored);
                assertThat(lost).as("acknowledged writes missing on the new primary").isEmpty();
                Set<Long> extra = new HashSet<>(stored);
                extra.removeAll(acknowledged);
                assertThat(unknown).as("only writes whose outcome was reported unknown may be stored unacknowledged")
                        .containsAll(extra);
                assertThat(reads.get()).isPositive();
            }
        }
    }

    @Test
    void aWriteThatReachesAStandbyIsRetriedOnNewConnectionsAndThenRefusedClearly() throws Exception {
        try (ReplicatedPostgres cluster = ReplicatedPostgres.start(1)) {
            try (Connection c = DriverManager.getConnection(cluster.jdbcUrl(0), cluster.user(), "");
                 Statement s = c.createStatement()) {
                s.execute("create table standby_log (n int)");
            }
            cluster.awaitCaughtUp(1);
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            // a single-host writer URL that points at the standby (a stale DNS name after a failover)
            try (JeexDatabase db = JeexDatabase.create(ServiceConfigs.defaults(cluster.jdbcUrl(1), cluster.user(), null)
                    .name("onstandby").pool(p -> p.withSize(1).withMaxOverflow(0)).build(), registry)) {
                assertThatThrownBy(() -> db.transaction(TxOptions.named("write"),
                        tx -> tx.dsl().execute("insert into standby_log values (1)")))
                        .isInstanceOf(DatabaseUnavailableException.class)
                        .hasMessageContaining("the server is not the primary")
                        .hasMessageContaining("targetServerType=primary")
                        .satisfies(e -> assertThat(((JeexDbException) e).attempts())
                                .isEqualTo(db.config().retry().maxAttempts()))
                        .satisfies(e -> assertThat(((JeexDbException) e).sqlState()).contains("25006"));
                assertThat(registry.get("hikaricp.connections.creation").tag("pool", "onstandby").timer().count())
                        .as("each retry on a new connection: the pool's connections were evicted")
                        .isGreaterThanOrEqualTo(db.config().retry().maxAttempts());
                // a write in the caller's own read-only transaction is the caller's error, not a failover
                assertThatThrownBy(() -> db.transaction(TxOptions.named("ro").withReadOnly(true),
                        tx -> tx.dsl().execute("insert into standby_log values (2)")))
                        .isInstanceOf(JeexDbException.class).isNotInstanceOf(DatabaseUnavailableException.class)
                        .satisfies(e -> assertThat(((JeexDbException) e).attempts()).isEqualTo(1));
            }
            try (Connection c = DriverManager.getConnection(cluster.jdbcUrl(0), cluster.user(), "");
                 Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select count(*) from standby_log")) {
                rs.next();
                assertThat(rs.getInt(1)).as("nothing written").isZero();
            }
        }
    }

    /** The server ports that 20 reads ran on. */
    private static Set<Integer> readPorts(JeexDatabase db) {
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            ports.add(db.readOnly(tx -> ((Number) tx.dsl().fetchValue("select inet_server_port()")).intValue()));
        }
        return ports;
    }

    private static void awaitServing(JeexDatabase db, boolean first, boolean second) {
        Awaitility.await("replicas serving: " + first + ", " + second).atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(20)).until(() -> {
                    List<ReplicaState> r = db.health().replicas();
                    return r.get(0).serving() == first && r.get(1).serving() == second;
                });
    }

    private static List<String> probeThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("jeex-db-replica-probe-")).toList();
    }
}
