package io.jeex.db.internal.tx;

import io.jeex.db.internal.error.Category;
import io.jeex.db.internal.error.SqlStates;

/**
 * One failed attempt, as seen by the circuit breaker and the retry: the failure, where it
 * happened and whether a statement of the work may have run. Carries no stack trace of its
 * own; the cause has it.
 */
final class AttemptFailure extends RuntimeException {

    private final Phase phase;
    private final boolean workMayHaveRun;
    private final Category category;

    AttemptFailure(Throwable cause, Phase phase, boolean workMayHaveRun) {
        super(cause.toString(), cause, false, false);
        this.phase = phase;
        this.workMayHaveRun = workMayHaveRun;
        this.category = SqlStates.classify(cause);
    }

    Phase phase() {
        return phase;
    }

    boolean workMayHaveRun() {
        return workMayHaveRun;
    }

    Category category() {
        return category;
    }

    /** @return whether the circuit breaker counts this failure against the database */
    boolean isInfrastructure() {
        return category.isInfrastructure();
    }
}
