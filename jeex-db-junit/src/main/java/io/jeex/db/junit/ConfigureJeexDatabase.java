package io.jeex.db.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names the {@link JeexDatabaseConfigurer} of the {@code JeexDatabase} injected into a
 * {@code @JeexDbTest} class (or, on an enclosing class, into its {@code @Nested} classes).
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface ConfigureJeexDatabase {

    /** @return the configurer; it needs a public no-argument constructor */
    Class<? extends JeexDatabaseConfigurer> value();
}
