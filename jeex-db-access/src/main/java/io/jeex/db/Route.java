package io.jeex.db;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.jooq.Configuration;

/**
 * A route to a database: the primary, the read replica, or system mode's direct connections.
 *
 * @param name the pool name (the {@code pool} tag of the meters)
 * @param acquirer borrows its connections
 * @param breaker its circuit breaker
 * @param metrics its transaction meters
 * @param jooq the jOOQ configuration of its transactions (dialect, settings, its statement meters)
 * @param observer sees the statements run with plain JDBC ({@link Jdbc})
 * @param replica whether it is the read replica
 * @param system whether it is the system mode's route: a new direct connection per attempt as
 *     the migration role, without the pool's start-up statement timeout
 * @param observations its Micrometer Observations (off when the service gave no registry)
 */
record Route(String name, ConnectionSource acquirer, CircuitBreaker breaker, TransactionMetrics metrics,
             Configuration jooq, StatementObserver observer, boolean replica, boolean system,
             Observations observations) {
}
