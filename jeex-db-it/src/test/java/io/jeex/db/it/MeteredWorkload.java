package io.jeex.db.it;

import static io.jeex.db.codegen.Tables.USERS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.jeex.db.JeexDatabase;
import io.jeex.db.JeexDbConfig;
import io.jeex.db.ReadConsistency;
import io.jeex.db.error.DatabaseUnavailableException;
import io.jeex.db.error.UniqueViolationException;
import io.jeex.db.health.HealthReport;
import io.jeex.db.health.HealthStatus;
import io.jeex.db.testkit.JeexPostgres;
import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.tx.IsolationLevel;
import io.jeex.db.tx.Transaction;
import io.jeex.db.tx.TxOptions;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A workload that makes every meter of README's table move, on a real PostgreSQL 18, published
 * to a {@link PrometheusMeterRegistry} as a service publishes it: commits of every repository,
 * a rollback, a unique violation, a real serialization failure (SQLSTATE 40001 from two
 * concurrent SERIALIZABLE transactions) that is retried, slow statements ({@code pg_sleep} over
 * the slow-query threshold), a health check (DEGRADED: its "replica" is the primary itself),
 * and a second instance whose server cannot be
 * reached: its acquisitions time out, its breaker opens and then refuses calls, its health is
 * DOWN. Runs once per JVM ({@link #shared()}); the scrapes are kept as text.
 */
final class MeteredWorkload {

    /** The instance name of the working database: the {@code pool} tag. */
    static final String NAME = "svc";
    /** The instance name of the database whose server is unreachable. */
    static final String OUTAGE = "outage";
    /** Statements of the workload that take longer than {@link #SLOW}. */
    static final int SLOW_STATEMENTS = 2;
    /** The slow-query threshold of both instances. */
    static final Duration SLOW = Duration.ofSeconds(1);

    /** The job (and endpoint path) under which the real Prometheus scrapes {@link #atStart}. */
    static final String START_JOB = "start";
    /** The job under which it scrapes {@link #afterWork}. */
    static final String AFTER_JOB = "after";

    private static MeteredWorkload shared;
    private static Prometheus server;

    /** The exposition text right after both instances were created, before any work. */
    final Scrape atStart;
    /** The exposition text after the workload, both instances still open. */
    final Scrape afterWork;

    /** One scrape, in both formats a Prometheus server may ask for. */
    record Scrape(String text, String openMetrics) {

        static Scrape of(PrometheusMeterRegistry registry) {
            return new Scrape(registry.scrape(), registry.scrape(OPEN_METRICS));
        }
    }

    /** The content type of OpenMetrics text, which a Prometheus server asks for first. */
    static final String OPEN_METRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private MeteredWorkload(Scrape atStart, Scrape afterWork) {
        this.atStart = atStart;
        this.afterWork = afterWork;
    }

    /** @return the scrapes of the one run of this JVM (the workload runs at the first call) */
    static synchronized MeteredWorkload shared() {
        if (shared == null) {
            shared = run();
        }
        return shared;
    }

    /**
     * @return a real Prometheus server, shared by this JVM's tests, that scrapes {@link #atStart}
     *     as job {@value #START_JOB} and {@link #afterWork} as job {@value #AFTER_JOB} and
     *     evaluates docker/'s alert rules on them; stopped when the JVM exits
     */
    static synchronized Prometheus prometheus() {
        if (server == null) {
            MeteredWorkload w = shared();
            Map<String, Scrape> jobs = new LinkedHashMap<>();
            jobs.put(START_JOB, w.atStart);
            jobs.put(AFTER_JOB, w.afterWork);
            Prometheus started = Prometheus.start(jobs, List.of(DockerFiles.alertRules()));
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "prometheus-close"));
            server = started;
        }
        return server;
    }

    private static MeteredWorkload run() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (TestDatabase testDb = JeexPostgres.shared().newDatabase();
             // The "replica" is the primary itself: not replaying, so read-your-writes would send
             // every read to the primary; REPLICA consistency sends read-only work to it regardless.
             JeexDatabase db = JeexDatabase.create(config(testDb, testDb.jdbcUrl(), NAME)
                     .replica(r -> r.withUrl(testDb.jdbcUrl()).withReadConsistency(ReadConsistency.REPLICA))
                     .build(), registry);
             JeexDatabase outage = JeexDatabase.create(config(testDb, unreachableUrl(), OUTAGE)
                     .poolSize(0).pool(p -> p.withMaxOverflow(2)
                     .withAcquireTimeout(Duration.ofMillis(250)).withConnectTimeout(Duration.ofSeconds(1)))
                     .retry(r -> r.withMaxAttempts(1)).health(h -> h.withTimeout(Duration.ofSeconds(1)))
                     .breaker(b -> b.withSlidingWindowSize(4).withMinimumCalls(2).withFailureRateThreshold(50)
                     .withWaitInOpenState(Duration.ofMinutes(5))).build(), registry)) {
            Scrape atStart = Scrape.of(registry);
            work(db);
            fail(outage);
            return new MeteredWorkload(atStart, Scrape.of(registry));
        }
    }

    private static JeexDbConfig.Builder config(TestDatabase testDb, String url, String name) {
        return JeexDbConfig.builder(url).name(name).user(testDb.user())
                .password(testDb.password().isEmpty() ? null : testDb.password())
                .poolSize(2).pool(p -> p.withMaxOverflow(2))
                .health(h -> h.withMonitorInterval(Duration.ZERO)) // the checks below are the only ones: the gauges hold their results
                .health(h -> h.withSlowQueryThreshold(SLOW));
    }

    /** Commits, a rollback, a constraint failure, a retried serialization failure, slow statements, health. */
    private static void work(JeexDatabase db) {
        Workload.run(db, "metered");
        assertThatThrownBy(() -> db.transaction(TxOptions.named("oops"), tx -> {
            tx.dsl().insertInto(USERS).set(USERS.EMAIL, "oops@example.com").set(USERS.NAME, "n").execute();
            throw new IllegalStateException("the work changed its mind");
        })).isInstanceOf(IllegalStateException.class);
        db.actingAsNewUser().users().create("taken@example.com", "First");
        assertThatThrownBy(() -> db.actingAsNewUser().users().create("TAKEN@example.com", "Second"))
                .isInstanceOf(UniqueViolationException.class);
        writeSkew(db);
        for (int i = 0; i < SLOW_STATEMENTS; i++) {
            double seconds = SLOW.multipliedBy(6).dividedBy(5).toMillis() / 1000.0;
            db.transaction(TxOptions.named("slow"), tx -> tx.dsl().fetch("select pg_sleep(" + seconds + ")"));
        }
        // The "replica" is the primary itself (a real standby is not needed for the meters):
        // DEGRADED, yet ready.
        HealthReport report = db.health();
        assertThat(report.status()).as(report.toJson()).isEqualTo(HealthStatus.DEGRADED);
        assertThat(report.ready()).as(report.toJson()).isTrue();
    }

    /**
     * Two SERIALIZABLE transactions that each count the users on call and add one: run
     * together, PostgreSQL fails one of them with 40001, and the runner retries it to success.
     */
    private static void writeSkew(JeexDatabase db) {
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            CyclicBarrier bothCounted = new CyclicBarrier(2);
            AtomicInteger attempts = new AtomicInteger();
            TxOptions serializable = TxOptions.named("on_call").withIsolation(IsolationLevel.SERIALIZABLE);
            Future<?> a = threads.submit(() -> db.transaction(serializable,
                    tx -> goOnCall(tx, "a@example.com", bothCounted, attempts)));
            Future<?> b = threads.submit(() -> db.transaction(serializable,
                    tx -> goOnCall(tx, "b@example.com", bothCounted, attempts)));
            a.get(30, TimeUnit.SECONDS);
            b.get(30, TimeUnit.SECONDS);
            assertThat(attempts).as("two first attempts and one retry").hasValue(3);
        } catch (Exception e) {
            throw new AssertionError("the write skew did not resolve by one retry", e);
        } finally {
            threads.shutdownNow();
        }
    }

    private static int goOnCall(Transaction tx, String email, CyclicBarrier bothCounted, AtomicInteger attempts)
            throws Exception {
        attempts.incrementAndGet();
        tx.dsl().fetchCount(USERS, USERS.NAME.eq("on call"));
        if (tx.attempt() == 1) {
            bothCounted.await(10, TimeUnit.SECONDS); // the retry runs after the winner committed
        }
        return tx.dsl().insertInto(USERS).set(USERS.EMAIL, email).set(USERS.NAME, "on call").execute();
    }

    /** Connection failures until the breaker opens, one call it refuses, a DOWN health check. */
    private static void fail(JeexDatabase outage) {
        int failures = 0;
        while (true) {
            Throwable e = catchThrowable(() -> outage.transaction(TxOptions.named("lost"), tx -> tx.dsl().selectOne()
                    .fetch()));
            assertThat(e).isInstanceOf(DatabaseUnavailableException.class);
            if (e.getCause() instanceof CallNotPermittedException) {
                break; // the breaker is open and refused the call
            }
            failures++;
            assertThat(failures).as("connection failures before the breaker opens").isLessThan(10);
        }
        assertThat(failures).as("connection failures that opened the breaker").isGreaterThanOrEqualTo(2);
        assertThat(outage.health().status()).isEqualTo(HealthStatus.DOWN);
    }

    /** A JDBC URL whose port was free a moment ago: connections are refused. */
    private static String unreachableUrl() {
        return "jdbc:postgresql://127.0.0.1:" + PgBouncer.freePort() + "/none";
    }
}
