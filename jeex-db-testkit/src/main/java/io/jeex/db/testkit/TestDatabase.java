package io.jeex.db.testkit;

import static java.util.Objects.requireNonNull;

import io.jeex.db.schema.JdbcUrlMask;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * One database of the testkit, for one test or one test class: its name, JDBC URL and
 * credentials, a {@link DataSource} and a jOOQ {@link DSLContext} over it. Closing it drops
 * the database (in the background) unless {@link #keep()} was called.
 *
 * <p>The data source opens a new connection per {@code getConnection()}; give it to a pool
 * (or to {@code JeexDatabase}) for anything connection-heavy. {@link #toString()} never shows
 * the password.
 */
public final class TestDatabase implements AutoCloseable {

    private final String name;
    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final PGSimpleDataSource dataSource;
    private final JeexPostgres owner;
    private final AtomicBoolean kept = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    TestDatabase(String name, String jdbcUrl, String user, String password, JeexPostgres owner) {
        this.name = requireNonNull(name, "name");
        this.jdbcUrl = requireNonNull(jdbcUrl, "jdbcUrl");
        this.user = requireNonNull(user, "user");
        this.password = requireNonNull(password, "password");
        this.owner = owner;
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(jdbcUrl);
        ds.setUser(user);
        ds.setPassword(password);
        ds.setApplicationName("jeex-db-test");
        this.dataSource = ds;
    }

    /** @return the database name, for example {@code jeex_test_5f0c2a91d3e4} */
    public String name() {
        return name;
    }

    /**
     * Returns the JDBC URL of this database. It carries no credentials unless the external
     * server's URL ({@value TestkitSettings#URL}) has them as parameters (for example
     * {@code ?password=...}); log {@link #maskedJdbcUrl()} instead.
     *
     * @return the URL, to connect with
     */
    public String jdbcUrl() {
        return jdbcUrl;
    }

    /**
     * Returns the JDBC URL of this database with its secrets ({@code password} and
     * {@code sslpassword} parameters, the password of {@code //user:password@} user info) replaced
     * by {@code ****}, as {@link JdbcUrlMask#mask(String)} does: safe to log.
     *
     * @return the masked URL
     */
    public String maskedJdbcUrl() {
        return JdbcUrlMask.mask(jdbcUrl);
    }

    /** @return the user to connect as */
    public String user() {
        return user;
    }

    /** @return the password to connect with (empty for the embedded server) */
    public String password() {
        return password;
    }

    /** @return a data source that opens a new connection to this database per call */
    public DataSource dataSource() {
        return dataSource;
    }

    /**
     * Returns the application role to connect as when the code under test must be restricted as
     * in production: {@code jeex_test_app}, a login role that is no superuser and has no
     * BYPASSRLS (like {@code jeex_user} of {@code docker/}), with row access to every table of the
     * migrated schema (and to tables the admin {@link #user()} creates later in this database), no
     * DDL, no writes to the migration history. Row-level security never restricts a superuser,
     * which {@link #user()} usually is, so a test of code under the policies must run as this role:
     *
     * <pre>{@code
     * JeexDbConfig.builder(db.jdbcUrl())
     *         .user(db.appUser()).password(db.appPassword())            // the service, under the policies
     *         .credentials(c -> c.withMigrationUser(db.user()).withMigrationPassword(db.password())) // migrations and system mode
     *         .build();
     * }</pre>
     * The role is created once per server (roles are cluster-wide) and stays on an external server.
     *
     * @return the role's name
     * @throws TestkitException if the admin user may not create roles (it needs CREATEROLE)
     */
    public String appUser() {
        appPassword();
        return AppRole.NAME;
    }

    /**
     * @return the password of {@link #appUser()}
     * @throws TestkitException if the admin user may not create roles
     */
    public String appPassword() {
        if (owner == null) {
            throw new TestkitException("jeex-db testkit: database " + name + " has no application role", null);
        }
        return owner.appRolePassword();
    }

    /**
     * @return a data source that connects to this database as {@link #appUser()}, a new connection
     *     per call
     * @throws TestkitException if the admin user may not create roles
     */
    public DataSource appDataSource() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(jdbcUrl);
        ds.setUser(appUser());
        ds.setPassword(appPassword());
        ds.setApplicationName("jeex-db-test-app");
        return ds;
    }

    /** @return a jOOQ context for the PostgreSQL dialect over {@link #dataSource()} */
    public DSLContext dsl() {
        return DSL.using(dataSource, SQLDialect.POSTGRES);
    }

    /**
     * Keeps the database when this handle is closed, for example to inspect a failed test's data.
     * It lasts as long as its server: with the embedded or the Testcontainers provider, until the
     * test JVM exits (the testkit stops that server then); on an external server
     * ({@value TestkitSettings#URL}), until someone drops it.
     */
    public void keep() {
        kept.set(true);
    }

    /** @return whether {@link #keep()} was called */
    public boolean isKept() {
        return kept.get();
    }

    /**
     * Drops the database in the background (terminating its connections first), unless it
     * is kept. Calling it again does nothing.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true) && !kept.get() && owner != null) {
            owner.dropLater(name);
        }
    }

    @Override
    public String toString() {
        return "TestDatabase[name=" + name + ", url=" + maskedJdbcUrl() + ", user=" + user + ", password=****]";
    }
}
