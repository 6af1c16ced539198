/**
 * JUnit 5 support: annotate a test class with {@link io.jeex.db.testkit.junit.JeexDbTest}
 * and declare {@code DataSource}, {@code DSLContext} or {@code TestDatabase} parameters.
 */
package io.jeex.db.testkit.junit;
