package io.jeex.db;

import static java.util.Objects.requireNonNull;

import com.zaxxer.hikari.HikariDataSource;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedRetryMetrics;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryRegistry;
import io.jeex.db.schema.JdbcUrlMask;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jooq.Configuration;
import org.jooq.DSLContext;
import org.jooq.ExecuteListener;
import org.jooq.ExecuteListenerProvider;
import org.jooq.SQLDialect;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;
import org.jooq.impl.DefaultConfiguration;
import org.jooq.impl.DefaultExecuteListenerProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything a {@code JeexDatabase} owns: the pools, the circuit breakers, the retry, the
 * transaction runner, the error translator and the meter registry. The hook for later features
 * (repositories, health, metrics), which {@code JeexDatabase} builds from it.
 */
final class DatabaseRuntime implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DatabaseRuntime.class);

    private final JeexDbConfig config;
    private final Acquirer primary;
    private final ReplicaSet replicas;
    private final ReplicaReads replicaReads;
    private final DirectDataSource migrationDataSource;
    private final CircuitBreaker primaryBreaker;
    private final Retry retry;
    private final RetryRegistry retries;
    private final CircuitBreakerRegistry breakers;
    private final ErrorTranslator translator;
    private final MeterRegistry registry;
    private final Lifecycle lifecycle;
    private final TransactionRunner runner;
    private final PurgeMetrics purges;
    private final DSLContext dsl;

    private final io.micrometer.observation.ObservationRegistry observations;

    private DatabaseRuntime(JeexDbConfig config, MeterRegistry registry,
                            io.micrometer.observation.ObservationRegistry observations) {
        this.config = config;
        this.observations = observations;
        this.registry = registry;
        this.translator = new ErrorTranslator(config.pool().includeErrorDetail());
        this.lifecycle = new Lifecycle(config.name());
        // Registries of one entry each: Resilience4j's tagged Micrometer binders publish from them
        // (resilience4j.retry.calls, resilience4j.circuitbreaker.calls / .state / ...).
        RetryRegistry retries = RetryRegistry.of(TransactionRunner.retryConfig(config));
        this.retries = retries;
        this.retry = retries.retry(config.name());
        CircuitBreakerRegistry breakers = CircuitBreakerRegistry.of(breakerConfig(config.breaker()));
        this.breakers = breakers;
        this.primaryBreaker = breakers.circuitBreaker(config.name());
        this.primary = PoolFactory.pool(config.pool(), config.credentials(), config.name(),
                MultiHostUrls.writer(config.url()), registry);
        this.migrationDataSource = PoolFactory.migrationDataSource(config.pool(), config.credentials(),
                MultiHostUrls.writer(config.migrationUrl()));
        TaggedRetryMetrics.ofRetryRegistry(retries).bindTo(registry);
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(breakers).bindTo(registry);
        List<String> replicaUrls = config.replica().urls();
        this.replicaReads = replicaUrls.isEmpty() ? null : new ReplicaReads(config.replica().readConsistency(),
                config.replica().waitTimeout(), replicaUrls.size());
        List<ReplicaNode> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < replicaUrls.size(); i++) {
                String poolName = ReplicaNode.poolName(config.name(), i);
                String url = MultiHostUrls.reader(replicaUrls.get(i));
                Acquirer pool = PoolFactory.pool(config.pool(), config.credentials(), poolName, url, registry);
                nodes.add(new ReplicaNode(i, JdbcUrlMask.mask(replicaUrls.get(i)),
                        route(poolName, url, pool, breakers.circuitBreaker(poolName), true, false), pool.pool()));
            }
        } catch (RuntimeException e) {
            nodes.forEach(n -> n.pool().close());
            primary.pool().close();
            throw e;
        }
        this.replicas = nodes.isEmpty() ? null : new ReplicaSet(config.name(), nodes, probes(config, nodes),
                config.replica(), config.pool().connectTimeout());
        Route primaryRoute = route(config.name(), config.url(), primary, primaryBreaker, false, false);
        // System mode: a new direct connection per attempt, as the migration role, never pooled (no
        // privileged connection waits idle in a pool) and never through PgBouncer.
        DirectDataSource systemConnections = migrationDataSource.with(config.pool().applicationName() + "-system",
                config.pool().connectTimeout(), Duration.ZERO);
        this.runner = new TransactionRunner(config, primaryRoute, replicas, replicaReads,
                () -> route(systemName(config), config.migrationUrl(), systemConnections::getConnection,
                        breakers.circuitBreaker(systemName(config)), false, true),
                retry, translator, lifecycle);
        this.purges = new PurgeMetrics(registry, config.name());
        QueryMetricsListener queries = (QueryMetricsListener) primaryRoute.observer();
        this.dsl = DSL.using(new DefaultConfiguration()
                .set(SQLDialect.POSTGRES)
                .set(new GatedConnectionProvider(primary, lifecycle))
                // Behind PgBouncer the server-side default timeout is not set (see PoolFactory): a
                // client-side timeout (a cancel request) stands in for it.
                .set(settings(config).withQueryTimeout(config.pool().pgBouncer()
                        ? AttemptExecutor.queryTimeoutSeconds(config.pool().statementTimeout()) : 0))
                .set(listeners(config, queries, new DefaultExecuteListenerProvider(ExecuteListener.onException(ctx -> {
                    Throwable failure = ctx.sqlException() != null ? ctx.sqlException() : ctx.exception();
                    if (failure != null) {
                        ctx.exception(lifecycle.closing() ? lifecycle.closedError() : translator.translate(failure, 1, "dsl"));
                    }
                })))));
    }

    /** The service's jOOQ settings (or jOOQ's defaults) with jOOQ's execute logging off. */
    private static Settings settings(JeexDbConfig config) {
        return config.jooqSettings().orElseGet(Settings::new).withExecuteLogging(false);
    }

    /** The library's statement meters first, then the service's listeners, then {@code last}. */
    private static ExecuteListenerProvider[] listeners(JeexDbConfig config, QueryMetricsListener queries,
                                                       ExecuteListenerProvider... last) {
        java.util.List<ExecuteListenerProvider> all = new java.util.ArrayList<>();
        all.add(new DefaultExecuteListenerProvider(queries));
        all.addAll(config.executeListeners());
        all.addAll(java.util.List.of(last));
        return all.toArray(ExecuteListenerProvider[]::new);
    }

    /**
     * The replicas' lag probes: each on connections of its own to the primary (the writer's URL,
     * through PgBouncer when it is one) and to its replica, as the service's user, bounded by the
     * connect timeout.
     */
    private List<LagProbe> probes(JeexDbConfig config, List<ReplicaNode> nodes) {
        Duration timeout = config.pool().connectTimeout();
        String user = config.credentials().user().orElse(null);
        String password = config.credentials().password().orElse(null);
        String app = config.pool().applicationName() + "-lag-probe";
        // samples kept for longer than the bound: a replica behind all of them lags more than it
        Duration keep = config.replica().maxLag().plus(config.replica().lagProbeInterval().multipliedBy(2));
        List<LagProbe> probes = new ArrayList<>(nodes.size());
        for (ReplicaNode node : nodes) {
            DirectDataSource toPrimary = new DirectDataSource(MultiHostUrls.writer(config.url()), user, password, app,
                    timeout, timeout, false);
            DirectDataSource toReplica = new DirectDataSource(
                    MultiHostUrls.reader(config.replica().urls().get(node.index())), user, password, app, timeout,
                    timeout, false);
            probes.add(new LagProbe(config.name(), node, toPrimary, toReplica, replicaReads, keep));
        }
        return probes;
    }

    /** The name of the system mode's route: its {@code pool} tag and circuit breaker. */
    static String systemName(JeexDbConfig config) {
        return config.name() + "-system";
    }

    /** A route: its connections, breaker, transaction meters and statement meters, all tagged with its name. */
    private Route route(String name, String url, ConnectionSource acquirer, CircuitBreaker breaker,
                                          boolean isReplica, boolean isSystem) {
        Observations observed = new Observations(observations, name, url, config.pool().includeErrorDetail());
        QueryMetricsListener queries = new QueryMetricsListener(registry, name, config.health().slowQueryThreshold(), observed);
        // executeLogging off: jOOQ's logging listener would run on every statement, to log at DEBUG.
        Configuration jooq = new DefaultConfiguration().set(SQLDialect.POSTGRES)
                .set(settings(config))
                .set(listeners(config, queries));
        return new Route(name, acquirer, breaker, new TransactionMetrics(registry, name), jooq,
                queries, isReplica, isSystem, observed);
    }

    /**
     * Starts the pools and builds the parts.
     *
     * @param config the configuration
     * @param registry the meter registry
     * @return the runtime
     */
    public static DatabaseRuntime start(JeexDbConfig config,
                                        MeterRegistry registry) {
        return start(config, registry, null);
    }

    /**
     * Starts the pools and builds the parts, with Micrometer Observations.
     *
     * @param config the configuration
     * @param registry the meter registry
     * @param observations the service's observation registry, or null for none
     * @return the runtime
     */
    public static DatabaseRuntime start(JeexDbConfig config,
                                        MeterRegistry registry,
                                        io.micrometer.observation.ObservationRegistry observations) {
        requireNonNull(config, "config");
        requireNonNull(registry, "registry");
        DatabaseRuntime runtime = new DatabaseRuntime(config, registry, observations);
        LOG.info("{}: started: url={}, user={}, poolSize={}, maximumPoolSize={}, acquireTimeout={}, "
                        + "statementTimeout={}, replicas={}, pgBouncer={}, pgBouncerPreparedStatements={}", config.name(), JdbcUrlMask.mask(config.url()),
                config.credentials().user().orElse("<from url>"), config.pool().size(), config.pool().maximumSize(),
                Durations.ms(config.pool().acquireTimeout()), Durations.ms(config.pool().statementTimeout()),
                config.replica().hasReplicas() ? config.replica().urls().stream().map(JdbcUrlMask::mask).toList()
                        : "<none>", config.pool().pgBouncer(), config.pool().pgBouncerPreparedStatements());
        return runtime;
    }

    /**
     * How long a call must take before Resilience4j counts it as slow: a year, so in effect never.
     * Resilience4j's defaults (every counted call slower than 60 s) would open the breaker on
     * slow calls alone, for example a batch of long reports; slowness is not unavailability, and
     * the statement timeout bounds it.
     */
    static final Duration SLOW_CALL_DURATION_THRESHOLD = Duration.ofDays(365);

    /**
     * The circuit breaker configuration: counts the last calls, records only infrastructure
     * failures (connection failures and pool timeouts) as failures; every other outcome,
     * constraint violations and contention included, counts as a success of the database.
     * Slow calls never open it ({@link #SLOW_CALL_DURATION_THRESHOLD}).
     *
     * @param config the configuration
     * @return the Resilience4j configuration
     */
    static CircuitBreakerConfig breakerConfig(BreakerConfig config) {
        return CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(config.slidingWindowSize())
                .minimumNumberOfCalls(config.minimumCalls())
                .failureRateThreshold(config.failureRateThreshold())
                .waitDurationInOpenState(config.waitInOpenState())
                .permittedNumberOfCallsInHalfOpenState(config.permittedCallsInHalfOpenState())
                // The runner tells the breaker what to record (RetryPolicy): every error it reports is one.
                .recordException(t -> true)
                .slowCallRateThreshold(100)
                .slowCallDurationThreshold(SLOW_CALL_DURATION_THRESHOLD)
                .build();
    }

    /** @return the configuration */
    public JeexDbConfig config() {
        return config;
    }

    /** @return the primary pool */
    public HikariDataSource primaryPool() {
        return primary.pool();
    }

    /** @return the read replicas, empty without any */
    public List<ReplicaNode> replicas() {
        return replicas == null ? List.of() : replicas.nodes();
    }

    /**
     * @param node a replica
     * @return whether reads may go to it now (a standby within the lag bound, breaker not open)
     */
    public boolean serving(ReplicaNode node) {
        return replicas != null && replicas.serving(node);
    }

    /** @return open or closing, and the work in flight */
    public Lifecycle lifecycle() {
        return lifecycle;
    }

    /** @return the primary's circuit breaker */
    public CircuitBreaker breaker() {
        return primaryBreaker;
    }

    /** @return the retry shared by all transactions */
    public Retry retry() {
        return retry;
    }

    /** @return the error translator */
    public ErrorTranslator translator() {
        return translator;
    }

    /** @return the meter registry (a no-op composite when none was given) */
    public MeterRegistry meterRegistry() {
        return registry;
    }

    /** @return the transaction runner: the engine's port for the facade and the repositories */
    public TransactionRunner runner() {
        return runner;
    }

    /** @return the meters and log lines of the retention purges */
    public PurgeMetrics purges() {
        return purges;
    }

    /** @return the jOOQ context on the primary pool, translating errors */
    public DSLContext dsl() {
        return dsl;
    }

    /**
     * @return the migrations' data source: a new connection per call, direct to
     *     {@link JeexDbConfig#migrationUrl()} (never through PgBouncer) as the migration user, each
     *     bounded by {@link io.jeex.db.PoolConfig#connectTimeout()}; nothing to close
     */
    public DirectDataSource migrationDataSource() {
        return migrationDataSource;
    }

    /**
     * Closes the pools and removes every meter this instance registered: HikariCP's pool meters
     * (HikariCP removes them when a pool closes), the Resilience4j retry and breaker meters (the
     * binders remove them when their entries leave the registries), the transaction and statement
     * timers (tag {@code pool} = this instance's pool names). A later instance of the same name on
     * the same long-lived registry then publishes its own meters, not stale ones bound to this
     * one. Meters are identified by name and tags, so two open instances of the same name on one
     * registry would share them; give instances distinct names.
     */
    @Override
    public void close() {
        int cancelled = lifecycle.close(config.drainTimeout(), AFTER_CANCEL);
        try {
            if (replicas != null) {
                replicas.close();
            }
            for (ReplicaNode node : replicas()) {
                node.pool().close();
            }
        } finally {
            try {
                primary.pool().close();
            } finally {
                removeMeters();
                LOG.info("{}: closed{}", config.name(), cancelled == 0 ? ""
                        : " (" + cancelled + " call(s) cancelled after the drain timeout)");
            }
        }
    }

    /** How long cancelled work may take to notice before the pools close under it. */
    static final Duration AFTER_CANCEL = Duration.ofSeconds(2);

    private void removeMeters() {
        java.util.Set<String> names = new java.util.HashSet<>();
        for (Retry r : retries.getAllRetries()) {
            names.add(r.getName());
            retries.remove(r.getName());
        }
        for (CircuitBreaker b : breakers.getAllCircuitBreakers()) {
            names.add(b.getName());
            breakers.remove(b.getName());
        }
        java.util.Set<String> pools = new java.util.HashSet<>();
        pools.add(primary.pool().getPoolName());
        pools.add(systemName(config));
        for (ReplicaNode node : replicas()) {
            pools.add(node.pool().getPoolName());
        }
        for (io.micrometer.core.instrument.Meter m : registry.getMeters()) {
            io.micrometer.core.instrument.Meter.Id id = m.getId();
            String pool = id.getTag("pool");
            String name = id.getTag("name");
            boolean ours = id.getName().startsWith("resilience4j.") ? name != null && names.contains(name)
                    : pool != null && pools.contains(pool) && (id.getName().startsWith("jeex.db.")
                    || id.getName().startsWith("hikaricp.") || id.getName().startsWith("db.client."));
            if (ours) {
                registry.remove(m);
            }
        }
    }
}
