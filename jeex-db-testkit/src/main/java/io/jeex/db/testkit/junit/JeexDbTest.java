package io.jeex.db.testkit.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gives a test class real, migrated PostgreSQL 18 databases. Test methods (and
 * {@code @BeforeEach}/{@code @AfterEach} methods, and with {@link Lifecycle#PER_CLASS} also
 * constructors and {@code @BeforeAll}/{@code @AfterAll} methods) declare parameters of type
 * {@link javax.sql.DataSource}, {@link org.jooq.DSLContext} or
 * {@link io.jeex.db.testkit.TestDatabase} (URL, user, password) and receive them. On a
 * {@code @Nested} class the annotation may stand on an enclosing class; the nearest one counts.
 *
 * <pre>{@code
 * @JeexDbTest
 * class UserQueriesTest {
 *     @Test
 *     void insertsAUser(DSLContext dsl) {
 *         dsl.insertInto(USERS).set(USERS.EMAIL, "a@example.com").set(USERS.NAME, "A").execute();
 *         assertThat(dsl.fetchCount(USERS)).isEqualTo(1);
 *     }
 * }
 * }</pre>
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@ExtendWith(JeexDbExtension.class)
public @interface JeexDbTest {

    /**
     * How long one database lives.
     *
     * @return {@link Lifecycle#PER_METHOD} (the default): a fresh database for every test method
     */
    Lifecycle lifecycle() default Lifecycle.PER_METHOD;

    /**
     * Keeps the database of a failed test instead of dropping it, and logs its JDBC URL
     * (passwords masked). Also switched on for every test by
     * {@code -Djeex.db.test.keep-failed=true}.
     *
     * <p>A kept database lasts as long as its server: with the embedded or the Testcontainers
     * provider, only until the test JVM exits (the testkit stops the server and deletes its
     * data then). To inspect it after the build, run the tests against a server of your own
     * with {@code -Djeex.db.test.url=jdbc:postgresql://localhost:5432/postgres}.
     *
     * @return false by default
     */
    boolean keepOnFailure() default false;

    /** How long one database lives. */
    enum Lifecycle {
        /** One database per test method. */
        PER_METHOD,
        /** One database shared by all test methods of the class. */
        PER_CLASS
    }
}
