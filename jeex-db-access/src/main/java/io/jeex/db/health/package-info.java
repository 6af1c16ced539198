/**
 * Health of a {@link io.jeex.db.JeexDatabase}: {@link io.jeex.db.health.HealthReport}, from
 * {@link io.jeex.db.JeexDatabase#health()}, with liveness and readiness as separate answers and
 * a hand-written JSON form for a service's own health endpoint.
 */
package io.jeex.db.health;
