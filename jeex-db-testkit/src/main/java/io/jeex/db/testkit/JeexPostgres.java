package io.jeex.db.testkit;

import static java.util.Objects.requireNonNull;

import io.jeex.db.schema.ServerCheck;
import io.jeex.db.schema.ServiceMigrations;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL 18 for tests, provisioned once per JVM through the provider chain
 * (external URL, then Testcontainers when Docker answers, then embedded; see
 * {@link ProviderSelection}), and the databases made on it.
 *
 * <p>The JEEX migrations are applied once, into a template database whose name carries a
 * hash of the migrations and the current month ({@link #templateName()}); every {@link #newDatabase()} is a
 * {@code CREATE DATABASE ... TEMPLATE} clone of it, so a test gets a fully migrated database
 * in tens of milliseconds. Clones are prepared ahead by a background thread
 * ({@link TestkitSettings#PREFETCH}, default {@value TestkitSettings#DEFAULT_PREFETCH} at first,
 * then as many as the measured rates need, at most 16) and dropped in the background when closed
 * (or, with {@link TestkitSettings#RECYCLE}, emptied and handed out again). At JVM exit, unused clones are dropped and a server
 * that the testkit started is stopped: an embedded server's data directory is deleted and a
 * container is removed, so databases kept with {@link TestDatabase#keep()} last only as long as
 * the test JVM. To inspect them afterwards, run the tests against a server of your own
 * ({@value TestkitSettings#URL}), where kept databases stay until dropped.
 *
 * <pre>{@code
 * try (TestDatabase db = JeexPostgres.shared().newDatabase()) {
 *     db.dsl().fetch("select count(*) from users");
 * }
 * }</pre>
 */
public final class JeexPostgres {

    // The jobs are package-private classes: PostgresServer starts and checks the server,
    // TemplateBuilder makes the template and the application role, ClonePool hands out and
    // drops the clones. This class only wires them together.

    private static final Logger LOG = LoggerFactory.getLogger(JeexPostgres.class);
    private static final Object SHARED_LOCK = new Object();
    private static volatile JeexPostgres shared;

    /** Oldest server this schema runs on: uuidv7() arrived in PostgreSQL 18. */
    static final int MIN_SERVER_VERSION_NUM = ServerCheck.MIN_VERSION_NUM;

    private final PostgresServer server;
    private final ProviderSelection selection;
    private final Admin admin;
    private final String serverVersion;
    private final ServiceMigrations service;
    private final TemplateBuilder templates;
    private final ClonePool clones;
    private final AtomicBoolean stopped = new AtomicBoolean();

    private JeexPostgres(PostgresServer server, ProviderSelection selection, int prefetch, boolean recycle,
                         ServiceMigrations service) {
        this.server = server;
        this.selection = selection;
        this.admin = new Admin(server);
        this.service = service;
        this.serverVersion = PostgresServer.checkVersion(server, selection.kind());
        this.templates = new TemplateBuilder(server, admin, service);
        this.clones = new ClonePool(admin, prefetch, recycle);
    }

    /**
     * Returns the JVM's PostgreSQL, provisioning it on first use with
     * {@link TestkitSettings#fromSystem()}. The choice of provider is logged in one line.
     *
     * @return the shared instance
     * @throws TestkitException if no provider could deliver a PostgreSQL 18, with the fix
     */
    public static JeexPostgres shared() {
        JeexPostgres instance = shared;
        if (instance == null) {
            synchronized (SHARED_LOCK) {
                instance = shared;
                if (instance == null) {
                    instance = start(TestkitSettings.fromSystem());
                    JeexPostgres started = instance;
                    Runtime.getRuntime().addShutdownHook(new Thread(started::shutdown, "jeex-db-testkit-shutdown"));
                    shared = instance;
                }
            }
        }
        return instance;
    }

    /**
     * Provisions a PostgreSQL according to the given settings. Most callers want
     * {@link #shared()}; this is for tools that need their own server and stop it with
     * {@link #shutdown()}.
     *
     * @param settings provider, URL, prefetch...
     * @return a new instance
     * @throws TestkitException if no provider could deliver a PostgreSQL 18
     * @throws IllegalArgumentException if a setting is malformed
     */
    public static JeexPostgres start(TestkitSettings settings) {
        requireNonNull(settings, "settings");
        int prefetch = settings.prefetch();
        boolean recycle = settings.recycle();
        ServiceMigrations service = settings.serviceMigrations().orElse(null);
        long started = System.nanoTime();
        ProviderSelection selection = ProviderSelection.choose(settings, ContainerServer::dockerAvailable);
        PostgresServer server = PostgresServer.start(selection.kind(), settings);
        JeexPostgres postgres;
        try {
            postgres = new JeexPostgres(server, selection, prefetch, recycle, service);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        LOG.info("jeex-db testkit: PostgreSQL {} from provider {} ({}), {}, ready in {} ms",
                postgres.serverVersion, selection.kind().name().toLowerCase(Locale.ROOT),
                selection.reason(), server.description(), (System.nanoTime() - started) / 1_000_000);
        return postgres;
    }

    /** @return the provider that delivered this server */
    public ProviderKind provider() {
        return selection.kind();
    }

    /** @return the provider decision and its reason */
    public ProviderSelection selection() {
        return selection;
    }

    /** @return the server's version, for example {@code 18.3} */
    public String serverVersion() {
        return serverVersion;
    }

    /**
     * Returns the JDBC URL of a database on this server. It carries no credentials unless the
     * external server's URL ({@value TestkitSettings#URL}) has them as parameters (for
     * example {@code ?password=...}), which are kept; mask it before logging it.
     *
     * @param database a database name
     * @return the URL
     */
    public String jdbcUrl(String database) {
        return server.jdbcUrl(database);
    }

    /**
     * Returns the name of the migrated template database, creating it on first use: the
     * migrations are applied once per server and migration hash.
     *
     * @return a name such as {@code jeex_tpl_1f2e3d4c5b6a7988_202612} (the migrations' hash and the
     *     current month, UTC: a new month builds a new template, whose partitions of
     *     agent_executions cover it and the months ahead)
     * @throws TestkitException if the migrations fail
     */
    public String templateName() {
        return templates.templateName();
    }

    /** @return the service's own migrations that the template holds after jeex-db's, if any */
    public Optional<ServiceMigrations> serviceMigrations() {
        return Optional.ofNullable(service);
    }

    /**
     * Returns a new database holding the fully migrated schema and no data, cloned from the
     * template; a clone prepared ahead is handed out when one is ready.
     *
     * @return the database; close it to drop it
     * @throws TestkitException if the clone cannot be created
     */
    public TestDatabase newDatabase() {
        String name = clones.take(templateName());
        return new TestDatabase(name, server.jdbcUrl(name), server.user(), server.password(), this);
    }

    /**
     * Returns a new, empty database (no migrations applied), for tests of migrations
     * themselves and for code generation. The {@linkplain TestDatabase#appUser() application role}
     * may use what the admin user creates in its schema {@code public} later (default privileges,
     * as {@code 10-roles.sql} sets them for {@code jeex_user}); unlike in a template's clone, that
     * includes the migration history tables, which do not exist yet to be made read-only.
     *
     * @return the database; close it to drop it
     * @throws TestkitException if it cannot be created
     */
    public TestDatabase newEmptyDatabase() {
        String name = "jeex_empty_" + Admin.randomSuffix(6);
        try {
            admin.createEmpty(name);
            // as in production (docker/postgres/initdb/10-roles.sql): what the admin creates later in
            // schema public, the migrations' tables included, is the application role's to use
            templates.grantAppRole(name, false);
        } catch (SQLException e) {
            throw new TestkitException("jeex-db testkit: cannot create database " + name + ": " + e.getMessage(), e);
        }
        return new TestDatabase(name, server.jdbcUrl(name), server.user(), server.password(), this);
    }

    /** @see TemplateBuilder#appRolePassword() */
    String appRolePassword() {
        return templates.appRolePassword();
    }

    /** @return how many closed databases were reset and handed out again ({@link TestkitSettings#RECYCLE}) */
    long recycledDatabases() {
        return clones.recycled();
    }

    /** Waits for the background drops and resets asked for so far (for tests). */
    void settle() throws InterruptedException {
        clones.settle();
    }

    /** Drops a closed database in the background, or recycles it. */
    void dropLater(String name) {
        clones.dropLater(name);
    }

    /**
     * Stops prefetching, drops the prepared clones, waits for pending drops and stops the
     * server if the testkit started it. Called at JVM exit for {@link #shared()}; calling it again
     * does nothing.
     */
    public void shutdown() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        clones.close(selection.kind() == ProviderKind.EXTERNAL);
        server.close();
    }

    @Override
    public String toString() {
        return "JeexPostgres[" + server.description() + ", version=" + serverVersion + "]";
    }
}
