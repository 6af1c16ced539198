/**
 * A real, migrated PostgreSQL 18 for integration tests: {@link io.jeex.db.testkit.JeexPostgres}
 * provisions the server (external URL, Testcontainers or embedded) and hands out fast clones
 * of a migrated template as {@link io.jeex.db.testkit.TestDatabase}s. JUnit 5 users annotate
 * their class with {@link io.jeex.db.testkit.junit.JeexDbTest}.
 */
package io.jeex.db.testkit;
