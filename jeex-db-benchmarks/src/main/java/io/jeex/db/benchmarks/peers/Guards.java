package io.jeex.db.benchmarks.peers;

import io.jeex.db.repository.ExecutionStatus;
import io.jeex.db.repository.ProjectStatus;
import java.util.List;

/** The allowed previous statuses of the guarded updates, and the error when a guard refused. */
final class Guards {

    static final List<String> LIVE = List.of(ExecutionStatus.PENDING.dbValue(), ExecutionStatus.RUNNING.dbValue());

    private Guards() {
    }

    static List<String> from(ProjectStatus to) {
        return to.previous().stream().map(ProjectStatus::dbValue).sorted().toList();
    }

    /** @param current the row's status, or null when there is no such row */
    static IllegalStateException refused(String what, Object id, String current, String to) {
        return new IllegalStateException(current == null ? what + " " + id + " not found"
                : what + " " + id + " is " + current + ", which does not allow " + to);
    }
}
