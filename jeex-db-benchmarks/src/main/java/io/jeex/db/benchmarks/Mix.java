package io.jeex.db.benchmarks;

import io.jeex.db.benchmarks.peers.Workload;
import io.jeex.db.repository.Json;

/**
 * The six single-row operations of the workload in turn, one per call: the mixed load of the
 * PgBouncer and virtual-thread measurements.
 */
final class Mix {

    static final int OPERATIONS = 6;

    private Mix() {
    }

    /**
     * @param step which operation: {@code step % 6}
     * @return the operation's result
     */
    static Object run(Workload w, SharedFixture shared, ThreadFixture own, long step) {
        return switch ((int) (step % OPERATIONS)) {
            case 0 -> w.createUser(shared.nextEmail(), "Bench User");
            case 1 -> w.userById(shared.anyUser());
            case 2 -> w.appendVersion(own.appendProject, "spec", ThreadFixture.CONTENT, Json.EMPTY, own.author);
            case 3 -> w.projectPage(shared.pageOwner, shared.secondPage);
            case 4 -> w.changeStatus(own.statusProject, own.nextStatus());
            default -> w.completeExecution(own.nextExecution(), ThreadFixture.OUTPUT);
        };
    }
}
