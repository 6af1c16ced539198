/**
 * JUnit 5 support for services: with {@code jeex-db-junit} on the test class path,
 * {@code @JeexDbTest} tests declare a {@link io.jeex.db.JeexDatabase} parameter and receive one
 * configured for their database; {@link io.jeex.db.junit.ConfigureJeexDatabase} adjusts it.
 */
package io.jeex.db.junit;
