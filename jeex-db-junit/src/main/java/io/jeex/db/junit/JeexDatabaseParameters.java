package io.jeex.db.junit;

import io.jeex.db.JeexDatabase;
import io.jeex.db.JeexDbConfig;
import io.jeex.db.testkit.JeexPostgres;
import io.jeex.db.testkit.TestDatabase;
import io.jeex.db.testkit.junit.ParameterProvider;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Injects a ready {@link JeexDatabase} into {@code @JeexDbTest} tests (registered with
 * {@link java.util.ServiceLoader} as a {@link ParameterProvider} of the testkit): one per test
 * database, so one per test method (or per class with {@code Lifecycle.PER_CLASS}), closed
 * before the database is dropped. Configured for the test's database: its URL; the testkit's
 * application role as the user (no superuser, so row-level security applies as it does to
 * {@code jeex_user} in production) and the database's admin user as the migration user (migrations
 * and {@code db.system()}); the service's own migrations of the testkit's settings (so that health and
 * readiness cover them: the template holds them already), a pool of at most
 * {@value #POOL_SIZE} + {@value #MAX_OVERFLOW} connections, the health monitor off; then the
 * test class's {@link ConfigureJeexDatabase} configurer, if any.
 */
public final class JeexDatabaseParameters implements ParameterProvider {

    /** Connections kept open by the injected database. */
    public static final int POOL_SIZE = 2;
    /** Connections it may open beyond {@link #POOL_SIZE}. */
    public static final int MAX_OVERFLOW = 4;

    /** Used by {@link java.util.ServiceLoader}. */
    public JeexDatabaseParameters() {
    }

    @Override
    public boolean supports(Class<?> type) {
        return type == JeexDatabase.class;
    }

    @Override
    public Object create(Class<?> type, TestDatabase database, ExtensionContext context) {
        JeexDbConfig.Builder builder = JeexDbConfig.builder(database.jdbcUrl())
                .name("test")
                .user(database.appUser())
                .password(database.appPassword())
                .credentials(c -> c.withMigrationUser(database.user())
                .withMigrationPassword(database.password().isEmpty() ? null : database.password()))
                .poolSize(POOL_SIZE)
                .pool(p -> p.withMaxOverflow(MAX_OVERFLOW))
                .health(h -> h.withMonitorInterval(Duration.ZERO));
        JeexPostgres.shared().serviceMigrations().ifPresent(builder::serviceMigrations);
        Optional<ConfigureJeexDatabase> configure = context.getTestClass().flatMap(JeexDatabaseParameters::find);
        if (configure.isPresent()) {
            builder = instantiate(configure.get().value()).configure(builder, database);
        }
        return JeexDatabase.create(builder.build());
    }

    private static Optional<ConfigureJeexDatabase> find(Class<?> type) {
        for (Class<?> c = type; c != null;
                c = c.getEnclosingClass() != null && !Modifier.isStatic(c.getModifiers()) ? c.getEnclosingClass() : null) {
            Optional<ConfigureJeexDatabase> found = AnnotationSupport.findAnnotation(c, ConfigureJeexDatabase.class);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    private static JeexDatabaseConfigurer instantiate(Class<? extends JeexDatabaseConfigurer> type) {
        try {
            return type.getDeclaredConstructor().newInstance();
        } catch (NoSuchMethodException | InstantiationException | IllegalAccessException e) {
            throw new ParameterResolutionException("@ConfigureJeexDatabase(" + type.getName() + ".class): the "
                    + "configurer needs a public no-argument constructor (a public static nested class or a public "
                    + "top-level class)", e);
        } catch (InvocationTargetException e) {
            throw new ParameterResolutionException("@ConfigureJeexDatabase(" + type.getName() + ".class): its "
                    + "constructor failed: " + e.getCause(), e.getCause());
        }
    }
}
