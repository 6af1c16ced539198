package io.jeex.db.junit;

import io.jeex.db.JeexDbConfig;
import io.jeex.db.testkit.TestDatabase;

/**
 * Adjusts the configuration of the {@code JeexDatabase} that {@code @JeexDbTest} injects: name it
 * on the test class with {@link ConfigureJeexDatabase}. It receives a builder already set for the
 * test's database (URL, user, password, the service's migrations of the testkit's settings, a
 * small pool, the health monitor off) and returns the builder to build.
 *
 * <pre>{@code
 * public static final class SmallTimeouts implements JeexDatabaseConfigurer {
 *     public JeexDbConfig.Builder configure(JeexDbConfig.Builder builder, TestDatabase database) {
 *         return builder.pool(p -> p.withStatementTimeout(Duration.ofSeconds(2))).retry(r -> r.withMaxAttempts(2));
 *     }
 * }
 * }</pre>
 *
 * <p>Implementations need a public no-argument constructor.
 */
@FunctionalInterface
public interface JeexDatabaseConfigurer {

    /**
     * @param builder the configuration for the test's database
     * @param database the test's database
     * @return the builder to build (usually {@code builder} itself)
     */
    JeexDbConfig.Builder configure(JeexDbConfig.Builder builder, TestDatabase database);
}
