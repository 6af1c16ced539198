package io.jeex.db.testkit;

import io.jeex.db.schema.JeexSchema;
import io.jeex.db.schema.ServiceMigrations;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The migrated template database of one server, built once on first use, and the application
 * role ({@link AppRole}) with its row access granted in it, so that every clone inherits the
 * grants.
 *
 * <p>The template is named after a hash of the migrations, jeex-db's and the service's own, and the
 * current month (UTC): a change to either, or a new month (the migrations make the partitions of
 * the months ahead), builds a new one, and an unchanged one is reused, also by other JVMs sharing
 * an external server.
 */
final class TemplateBuilder {

    /** The facade's logger, so that a log configuration of the testkit keeps covering every line. */
    private static final Logger LOG = LoggerFactory.getLogger(JeexPostgres.class);

    private final PostgresServer server;
    private final Admin admin;
    private final ServiceMigrations service;
    private final Object templateLock = new Object();
    private volatile String template;
    private final Object appRoleLock = new Object();
    private volatile String appPassword;
    private volatile TestkitException appRoleFailure;

    /**
     * @param service the service's own migrations to apply after jeex-db's, or null
     */
    TemplateBuilder(PostgresServer server, Admin admin, ServiceMigrations service) {
        this.server = server;
        this.admin = admin;
        this.service = service;
    }

    /**
     * The name of the migrated template, creating it on first use.
     *
     * @throws TestkitException if the migrations fail
     */
    String templateName() {
        String month = month();
        String name = template;
        if (name == null || !name.endsWith(month)) {
            synchronized (templateLock) {
                name = template;
                if (name == null || !name.endsWith(month)) {
                    name = createTemplate(month);
                    template = name;
                }
            }
        }
        return name;
    }

    /**
     * The current month (UTC), yyyymm. The migrations make the partitions of agent_executions for
     * the month they run in and the months ahead (V5): a template is built per month, so that a
     * clone never lacks the current month's partition, also in a JVM or on an external server that
     * runs across a month's end.
     */
    private static String month() {
        return java.time.YearMonth.now(java.time.ZoneOffset.UTC).format(java.time.format.DateTimeFormatter.ofPattern("yyyyMM"));
    }

    private String createTemplate(String month) {
        String name = "jeex_tpl_" + templateHash().substring(0, 16) + "_" + month;
        try (Connection c = admin.connect()) {
            if (Admin.databaseExists(c, name)) {
                LOG.info("jeex-db testkit: reusing template database {} (migrations unchanged)", name);
                return name;
            }
            long started = System.nanoTime();
            String building = name + "_" + Admin.randomSuffix(6);
            Admin.execute(c, "CREATE DATABASE " + Admin.quote(building));
            try {
                TestDatabase db = new TestDatabase(building, server.jdbcUrl(building), server.user(), server.password(), null);
                JeexSchema.flyway(db.dataSource()).migrate();
                if (service != null) {
                    service.flywayConfiguration(db.dataSource(), ServiceMigrations.serviceLoader()).load().migrate();
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
     * @throws SQLException if a grant fails
     */
    void grantAppRole(String database, boolean withService) throws SQLException {
        if (appPassword() == null) {
            return; // appRolePassword() reports why
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
     * may not create roles (the failure is kept for {@link #appRolePassword()}).
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
     * migrated tables of every clone of the template.
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
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(JeexSchema.migrationsHash().getBytes(StandardCharsets.UTF_8));
            digest.update(service.hash(ServiceMigrations.serviceLoader()).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
