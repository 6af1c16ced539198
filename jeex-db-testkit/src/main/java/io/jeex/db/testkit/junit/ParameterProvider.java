package io.jeex.db.testkit.junit;

import io.jeex.db.testkit.TestDatabase;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * More parameter types for {@link JeexDbTest} tests, built on the test's database: found with
 * {@link java.util.ServiceLoader} (a module registers an implementation in
 * {@code META-INF/services/io.jeex.db.testkit.junit.ParameterProvider}), as
 * {@code jeex-db-junit} does to inject a ready {@code JeexDatabase}. An object is created once
 * per test database (so once per test method, or per class with
 * {@link JeexDbTest.Lifecycle#PER_CLASS}) and, when it is {@link AutoCloseable}, closed before the
 * database is dropped.
 */
public interface ParameterProvider {

    /**
     * @param type a parameter's type
     * @return whether this provider makes objects of that type
     */
    boolean supports(Class<?> type);

    /**
     * Makes the object for a test database.
     *
     * @param type the parameter's type, one {@link #supports(Class)} accepted
     * @param database the test's database
     * @param context the test (or class) context, for annotations of the test class
     * @return the object
     */
    Object create(Class<?> type, TestDatabase database, ExtensionContext context);
}
