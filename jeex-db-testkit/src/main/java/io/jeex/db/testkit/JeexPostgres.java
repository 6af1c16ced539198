package io.jeex.db.testkit;

import static java.util.Objects.requireNonNull;

import io.jeex.db.schema.JeexSchema;
import io.jeex.db.schema.ServiceMigrations;
import io.jeex.db.schema.ServerCheck;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL 18 for tests, provisioned once per JVM through the provider chain
 * (external URL, then Testcontainers when Docker answers, then embedded; see
 * {@link ProviderSelection}), and the databases made on it.
 *
 * <p>The JEEX migrations are applied once, into a template database whose name carries a
 * hash of the migrations ({@link #templateName()}); every {@link #newDatabase()} is a
 * {@code CREATE DATABASE ... TEMPLATE} clone of it, so a test gets a fully migrated database
 * in tens of milliseconds. Clones are prepared ahead by a background thread
 * ({@link TestkitSettings#PREFETCH}, default {@value TestkitSettings#DEFAULT_PREFETCH}) and
 * dropped in the background when closed. At JVM exit, unused clones are dropped and a server
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

    private static final Logger LOG = LoggerFactory.getLogger(JeexPostgres.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Object SHARED_LOCK = new Object();
    private static volatile JeexPostgres shared;

    /** Oldest server this schema runs on: uuidv7() arrived in PostgreSQL 18. */
    static final int MIN_SERVER_VERSION_NUM = ServerCheck.MIN_VERSION_NUM;

    private final PostgresServer server;
    private final ProviderSelection selection;
    private final Admin admin;
    private final String serverVersion;
    private final int prefetch;
    private final ServiceMigrations service;
    private final Object templateLock = new Object();
    private volatile String template;
    private final BlockingQueue<String> ready;
    private final AtomicReference<Thread> prefetcher = new AtomicReference<>();
    private final AtomicReference<Throwable> prefetchFailure = new AtomicReference<>();
    private final ExecutorService dropper = Executors.newSingleThreadExecutor(r -> daemon(r, "jeex-db-testkit-drop"));
    private volatile boolean closing;
    private final Object appRoleLock = new Object();
    private volatile String appPassword;
    private volatile TestkitException appRoleFailure;

    private JeexPostgres(PostgresServer server, ProviderSelection selection, int prefetch,
                         ServiceMigrations service) {
        this.server = server;
        this.selection = selection;
        this.admin = new Admin(server);
        this.prefetch = prefetch;
        this.service = service;
        this.ready = new ArrayBlockingQueue<>(Math.max(1, prefetch));
        this.serverVersion = checkServerVersion();
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
        ServiceMigrations service = settings.serviceMigrations().orElse(null);
        long started = System.nanoTime();
        ProviderSelection selection = ProviderSelection.choose(settings, ContainerServer::dockerAvailable);
        PostgresServer server = startServer(selection.kind(), settings);
        JeexPostgres postgres;
        try {
            postgres = new JeexPostgres(server, selection, prefetch, service);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        LOG.info("jeex-db testkit: PostgreSQL {} from provider {} ({}), {}, ready in {} ms",
                postgres.serverVersion, selection.kind().name().toLowerCase(java.util.Locale.ROOT),
                selection.reason(), server.description(), (System.nanoTime() - started) / 1_000_000);
        return postgres;
    }

    private static PostgresServer startServer(ProviderKind kind, TestkitSettings settings) {
        try {
            return switch (kind) {
                case EXTERNAL -> new ExternalServer(settings.externalUrl().orElseThrow(), settings.user(),
                        settings.password());
                case TESTCONTAINERS -> ContainerServer.start(settings.image());
                case EMBEDDED -> EmbeddedServer.start();
            };
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new TestkitException("jeex-db testkit: the " + kind.name().toLowerCase(java.util.Locale.ROOT)
                    + " provider could not start PostgreSQL 18: " + e.getMessage() + ". " + fixFor(kind), e);
        }
    }

    private static String fixFor(ProviderKind kind) {
        String others = "Or choose a provider with -D" + TestkitSettings.PROVIDER + "=external|testcontainers|embedded.";
        return switch (kind) {
            case EXTERNAL -> "Check that the server at " + TestkitSettings.URL + " runs and accepts "
                    + TestkitSettings.USER + "/" + TestkitSettings.PASSWORD + ". " + others;
            case TESTCONTAINERS -> "Check that the Docker engine runs and can pull "
                    + TestkitSettings.DEFAULT_IMAGE + " (or set " + TestkitSettings.IMAGE + "). " + others;
            case EMBEDDED -> "The embedded binaries need a Linux, macOS or Windows host on which the current user "
                    + "may run postgres (as root: the unshare command, from util-linux). " + others;
        };
    }

    private String checkServerVersion() {
        try (Connection c = admin.connect()) {
            ServerCheck check = ServerCheck.of(c);
            if (!check.supported()) {
                throw new TestkitException("jeex-db testkit: " + check.problem().orElseThrow() + " ("
                        + server.description() + "). " + unsupportedServerFix());
            }
            return check.version();
        } catch (SQLException e) {
            throw new TestkitException("jeex-db testkit: cannot connect to " + server.description() + ": "
                    + e.getMessage() + ". " + fixFor(selection.kind()), e);
        }
    }

    /** The fix for a server that fails the {@link ServerCheck}: the setting that chose it. */
    private static String unsupportedServerFix() {
        return "Point " + TestkitSettings.URL + " at a PostgreSQL 18 server, or unset it to use Testcontainers or "
                + "the embedded server.";
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
     * @return a name such as {@code jeex_tpl_1f2e3d4c5b6a7988}
     * @throws TestkitException if the migrations fail
     */
    public String templateName() {
        String name = template;
        if (name == null) {
            synchronized (templateLock) {
                name = template;
                if (name == null) {
                    name = createTemplate();
                    template = name;
                }
            }
        }
        return name;
    }

    /** @return the service's own migrations that the template holds after jeex-db's, if any */
    public Optional<ServiceMigrations> serviceMigrations() {
        return Optional.ofNullable(service);
    }

    private String createTemplate() {
        String name = "jeex_tpl_" + templateHash().substring(0, 16);
        try (Connection c = admin.connect()) {
            if (Admin.databaseExists(c, name)) {
                LOG.info("jeex-db testkit: reusing template database {} (migrations unchanged)", name);
                return name;
            }
            long started = System.nanoTime();
            String building = name + "_" + randomSuffix(6);
            Admin.execute(c, "CREATE DATABASE " + Admin.quote(building));
            try {
                TestDatabase db = new TestDatabase(building, server.jdbcUrl(building), server.user(), server.password(), null);
                JeexSchema.flyway(db.dataSource()).migrate();
                if (service != null) {
                    service.flywayConfiguration(db.dataSource(), serviceLoader()).load().migrate();
                }
                grantAppRole(building, true);
                Admin.terminateConnections(c, building);
                // Renamed only once complete: a template under its final name is always fully migrated,
                // also when several JVMs share an external server.
                Admin.execute(c, "ALTER DATABASE " + Admin.quote(building) + " RENAME TO " + Admin.quote(name));
                Admin.execute(c, "ALTER DATABASE " + Admin.quote(name) + " WITH IS_TEMPLATE true ALLOW_CONNECTIONS false");
            } catch (SQLException | RuntimeException e) {
                admin.drop(building);
                if (Admin.databaseExists(c, name)) {
                    return name; // another JVM finished first
                }
                throw e;
            }
            LOG.info("jeex-db testkit: migrated template database {} in {} ms", name, (System.nanoTime() - started) / 1_000_000);
            return name;
        } catch (SQLException e) {
            throw new TestkitException("jeex-db testkit: cannot create the template database " + name + " on "
                    + server.description() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new TestkitException("jeex-db testkit: migrating the template database " + name + " failed: "
                    + e.getMessage() + ". Fix the migration in jeex-db-schema; the template is rebuilt when the "
                    + "migrations change.", e);
        }
    }

    /**
     * Grants the application role row access in a database (the template, or an empty database),
     * when the role could be created.
     *
     * @param database the database
     * @param withService also in the schema of the service's migrations (which exists in the template)
     */
    private void grantAppRole(String database, boolean withService) throws SQLException {
        if (appPassword() == null) {
            return; // appUser() reports why
        }
        try (Connection c = admin.connect(database)) {
            AppRole.grant(c, "public", JeexSchema.HISTORY_TABLE);
            if (withService && service != null) {
                AppRole.grant(c, service.schema(), service.historyTable());
            }
        }
    }

    /**
     * The application role's password, creating the role on first use; null when the admin user
     * may not create roles (the failure is kept for {@link #appPassword()}'s callers).
     */
    private String appPassword() {
        String pw = appPassword;
        if (pw != null || appRoleFailure != null) {
            return pw;
        }
        synchronized (appRoleLock) {
            if (appPassword == null && appRoleFailure == null) {
                String derived = AppRole.password(server.password());
                try (Connection c = admin.connect()) {
                    AppRole.ensure(c, derived);
                    appPassword = derived;
                } catch (SQLException e) {
                    appRoleFailure = new TestkitException("jeex-db testkit: cannot create the application role "
                            + AppRole.NAME + " on " + server.description() + " (" + e.getMessage() + "); the user "
                            + server.user() + " needs CREATEROLE for TestDatabase.appUser(), or create the role "
                            + "yourself (LOGIN NOSUPERUSER NOBYPASSRLS)", e);
                    LOG.warn(appRoleFailure.getMessage());
                }
            }
            return appPassword;
        }
    }

    /**
     * The application role: {@value AppRole#NAME}, no superuser, no BYPASSRLS, row access on the
     * migrated tables of every database from {@link #newDatabase()}.
     *
     * @return its password
     * @throws TestkitException if the admin user may not create it
     */
    String appRolePassword() {
        String pw = appPassword();
        if (pw == null) {
            throw new TestkitException(appRoleFailure.getMessage(), appRoleFailure.getCause());
        }
        return pw;
    }

    /**
     * The hash that names the template: jeex-db's migrations, and the service's own when there
     * are some, so that a change to either builds a new template.
     */
    private String templateHash() {
        if (service == null) {
            return JeexSchema.migrationsHash();
        }
        try {
            java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
            digest.update(JeexSchema.migrationsHash().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            digest.update(service.hash(serviceLoader()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ClassLoader serviceLoader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : JeexPostgres.class.getClassLoader();
    }

    /**
     * Returns a new database holding the fully migrated schema and no data, cloned from the
     * template; a clone prepared ahead is handed out when one is ready.
     *
     * @return the database; close it to drop it
     * @throws TestkitException if the clone cannot be created
     */
    public TestDatabase newDatabase() {
        String tpl = templateName();
        String name = null;
        if (prefetch > 0) {
            startPrefetcher(tpl);
            name = ready.poll();
        }
        if (name == null) {
            name = createClone(tpl);
        }
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
        String name = "jeex_empty_" + randomSuffix(6);
        try {
            admin.createEmpty(name);
            // as in production (docker/postgres/initdb/10-roles.sql): what the admin creates later in
            // schema public, the migrations' tables included, is the application role's to use
            grantAppRole(name, false);
        } catch (SQLException e) {
            throw new TestkitException("jeex-db testkit: cannot create database " + name + ": " + e.getMessage(), e);
        }
        return new TestDatabase(name, server.jdbcUrl(name), server.user(), server.password(), this);
    }

    private String createClone(String tpl) {
        String name = "jeex_test_" + randomSuffix(6);
        try {
            admin.createFromTemplate(name, tpl);
            return name;
        } catch (SQLException e) {
            throw new TestkitException("jeex-db testkit: cannot clone template " + tpl + " into " + name + ": "
                    + e.getMessage(), e);
        }
    }

    private void startPrefetcher(String tpl) {
        if (prefetcher.get() != null || prefetchFailure.get() != null) {
            return;
        }
        Thread thread = daemon(() -> prefetchLoop(tpl), "jeex-db-testkit-prefetch");
        if (prefetcher.compareAndSet(null, thread)) {
            thread.start();
        }
    }

    private void prefetchLoop(String tpl) {
        try {
            while (!closing) {
                String name = createClone(tpl);
                try {
                    ready.put(name);
                } catch (InterruptedException e) {
                    admin.drop(name);
                    return;
                }
            }
        } catch (Throwable e) {
            if (!closing) {
                prefetchFailure.set(e);
                LOG.warn("jeex-db testkit: prefetching clones stopped, tests create their own: {}", e.toString());
            }
        }
    }

    void dropLater(String name) {
        if (!closing) {
            try {
                dropper.execute(() -> dropNow(name));
                return;
            } catch (RejectedExecutionException e) {
                // shutdown() began between the check and execute(): drop it here instead
            }
        }
        dropNow(name);
    }

    private void dropNow(String name) {
        try {
            admin.drop(name);
        } catch (SQLException e) {
            LOG.warn("jeex-db testkit: could not drop test database {}: {}", name, e.getMessage());
        }
    }

    /**
     * Stops prefetching, drops the prepared clones, waits for pending drops and stops the
     * server if the testkit started it. Called at JVM exit for {@link #shared()}.
     */
    public void shutdown() {
        if (closing) {
            return;
        }
        closing = true;
        Optional.ofNullable(prefetcher.get()).ifPresent(Thread::interrupt);
        dropper.shutdown();
        try {
            Thread thread = prefetcher.get();
            if (thread != null) {
                thread.join(10_000);
            }
            dropper.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (selection.kind() == ProviderKind.EXTERNAL) {
            String name;
            while ((name = ready.poll()) != null) {
                dropNow(name);
            }
        }
        server.close();
    }

    private static String randomSuffix(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public String toString() {
        return "JeexPostgres[" + server.description() + ", version=" + serverVersion + "]";
    }
}
