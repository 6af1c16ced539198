package io.jeex.db.repository;

import io.jeex.db.error.InvalidInputException;
import java.util.Locale;

/** The status of an agent execution; {@link #isTerminal() terminal} states never change again. */
public enum ExecutionStatus {
    /** Queued, not started. */
    PENDING,
    /** Running. */
    RUNNING,
    /** Finished with output. */
    COMPLETED,
    /** Finished with an error. */
    FAILED,
    /** Stopped before finishing. */
    CANCELLED;

    /** @return the value stored in {@code agent_executions.status} */
    public String dbValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @return whether this state is final (completed, failed, cancelled) */
    public boolean isTerminal() {
        return this == COMPLETED || this == FAILED || this == CANCELLED;
    }

    /**
     * Reads a stored value.
     *
     * @param value for example {@code running}
     * @return the status
     * @throws InvalidInputException if the value names no status
     */
    public static ExecutionStatus fromDb(String value) {
        for (ExecutionStatus s : values()) {
            if (s.dbValue().equals(value)) {
                return s;
            }
        }
        throw new InvalidInputException("agent_executions", "status",
                "must be one of pending, running, completed, failed, cancelled");
    }
}
