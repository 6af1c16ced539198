package io.jeex.db.health;

/** The overall verdict of a {@link HealthReport}. */
public enum HealthStatus {
    /** The database answers, the pools have room, the schema is current, the breakers are closed. */
    UP,
    /**
     * The database answers, but something needs attention: a saturated pool, a breaker that is
     * not closed, pending or failed migrations, a replica that lags or does not answer. The
     * reasons say which.
     */
    DEGRADED,
    /** The database does not answer within the health timeout, or this handle is closed. */
    DOWN
}
