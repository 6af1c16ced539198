package io.jeex.db.benchmarks;

import io.jeex.db.JeexDatabase;
import io.jeex.db.repository.Json;
import io.jeex.db.repository.ProjectStatus;
import java.util.UUID;

/**
 * One worker's own rows, so that workers never wait for each other's locks: a document to append
 * to, a project toggled between in_progress and completed, and a ring of running agent executions
 * handed out in turn (made on first use, re-armed with one UPDATE when used up or on request).
 */
final class ThreadFixture {

    static final String CONTENT = "A paragraph of the document, about two hundred characters long, as a step of the "
            + "wizard stores it: what the idea is, who it is for, what it needs, and what comes next in it.";
    static final Json OUTPUT = Json.of("{\"ok\": true, \"tokens\": 1234}");

    private final Fixtures fixtures;
    private final int ringSize;
    final UUID author;
    final UUID appendProject;
    final UUID statusProject;
    private ProjectStatus status = ProjectStatus.IN_PROGRESS;
    private UUID[] ring;
    private int used;
    private int wraps;

    ThreadFixture(JeexDatabase db, int ringSize) {
        this.fixtures = new Fixtures(db);
        this.ringSize = ringSize;
        author = fixtures.user("author");
        appendProject = fixtures.project(author);
        statusProject = fixtures.project(author);
        db.actingAs(author).projects().changeStatus(statusProject, ProjectStatus.IN_PROGRESS);
    }

    /** @return the status to change the project to now (in_progress and completed in turn) */
    ProjectStatus nextStatus() {
        status = status == ProjectStatus.COMPLETED ? ProjectStatus.IN_PROGRESS : ProjectStatus.COMPLETED;
        return status;
    }

    /** @return a running execution of this worker's ring */
    UUID nextExecution() {
        if (ring == null) {
            makeRing();
            fixtures.analyze(); // made during the warm-up: the planner must know the rows before the measurement
        }
        if (used == ring.length) {
            rearm();
            wraps++;
        }
        return ring[used++];
    }

    /** Makes the ring of running executions now (the caller refreshes the planner's statistics once for all). */
    void makeRing() {
        ring = fixtures.runningExecutionIds(fixtures.project(author), ringSize);
    }

    /** Sets the executions handed out so far back to running. */
    void rearm() {
        if (ring != null) {
            fixtures.rearm(ring, used);
        }
        used = 0;
    }

    /** @return how often the ring was used up and re-armed inside {@link #nextExecution()} */
    int wraps() {
        return wraps;
    }
}
