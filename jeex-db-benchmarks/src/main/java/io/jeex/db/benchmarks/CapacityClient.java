package io.jeex.db.benchmarks;

import io.jeex.db.JeexDatabase;
import io.jeex.db.repository.Json;
import io.jeex.db.repository.NewAgentExecution;
import io.jeex.db.repository.ProjectStatus;
import io.jeex.db.repository.Repositories;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * One client of {@link CapacityRun}: a JEEX user working through the wizard, with rows of its own
 * (so clients never wait for each other's locks, as users of different projects do not), and the
 * mix of {@value #CYCLE} calls it runs in a loop, in this order:
 *
 * <pre>
 *  writes (9 of 20): agentExecutions.start x3, agentExecutions.complete x3 (the run started before),
 *                    documents.append x2, projects.changeStatus x1
 *  reads (11 of 20): projects.listByOwner (first page of 20) x3, documents.latest x2,
 *                    agentExecutions.byProject (20 newest) x2, projects.byId x2, users.byId x1,
 *                    agentExecutions.byCorrelationId (the cycle's 3 runs) x1
 * </pre>
 *
 * Every call acts as the client's user ({@code db.actingAs}), through a role without BYPASSRLS:
 * the policies of migration V3 run in every statement.
 */
final class CapacityClient {

    static final int CYCLE = 20;
    static final int PROJECTS = 25;
    static final int HISTORY = 200;
    static final String CONTENT = ThreadFixture.CONTENT;
    private static final Json INPUT = Json.of("{\"step\": 2, \"prompt\": \"Who is the idea for?\"}");
    private static final Json OUTPUT = ThreadFixture.OUTPUT;

    /** What one call was. */
    enum Kind { READ, WRITE }

    private static final Op[] MIX = {
        Op.START, Op.PAGE, Op.LATEST, Op.COMPLETE, Op.PROJECT, Op.APPEND, Op.BY_PROJECT, Op.START, Op.PAGE, Op.USER,
        Op.COMPLETE, Op.LATEST, Op.STATUS, Op.START, Op.PAGE, Op.BY_PROJECT, Op.COMPLETE, Op.PROJECT, Op.APPEND,
        Op.BY_CORRELATION};

    private enum Op {
        START(Kind.WRITE), COMPLETE(Kind.WRITE), APPEND(Kind.WRITE), STATUS(Kind.WRITE),
        PAGE(Kind.READ), LATEST(Kind.READ), BY_PROJECT(Kind.READ), PROJECT(Kind.READ), USER(Kind.READ),
        BY_CORRELATION(Kind.READ);

        final Kind kind;

        Op(Kind kind) {
            this.kind = kind;
        }
    }

    final UUID user;
    private final UUID work;
    private final UUID statusProject;
    private final List<UUID> projects;
    private final ArrayDeque<UUID> running = new ArrayDeque<>();
    private ProjectStatus status = ProjectStatus.IN_PROGRESS;
    private UUID correlation = UUID.randomUUID();
    private long step;

    /** Makes the client's rows: a user, 25 projects, 200 finished runs and a document with 5 versions. */
    CapacityClient(JeexDatabase db, int index) {
        Repositories signUp = db.actingAsNewUser();
        user = signUp.users().create("capacity-" + index + "-" + UUID.randomUUID() + "@example.com", "Client " + index).id();
        Repositories me = db.actingAs(user);
        projects = new ArrayList<>();
        for (int i = 0; i < PROJECTS; i++) {
            projects.add(me.projects().create(user, "Idea " + i + " of client " + index, "en").id());
        }
        work = projects.get(0);
        statusProject = projects.get(1);
        me.projects().changeStatus(statusProject, ProjectStatus.IN_PROGRESS);
        Instant t0 = Instant.now().minusSeconds(86_400);
        List<NewAgentExecution> history = new ArrayList<>();
        for (int i = 0; i < HISTORY; i++) {
            history.add(NewAgentExecution.completed(work, "business_analyst", UUID.randomUUID(), INPUT, OUTPUT,
                    t0.plusSeconds(i), t0.plusSeconds(i + 1)));
        }
        me.agentExecutions().insertBatch(history);
        for (int v = 0; v < 5; v++) {
            me.documents().append(work, "spec", CONTENT, Json.EMPTY, user);
        }
    }

    /**
     * Runs the next call of the mix.
     *
     * @return what it was
     */
    Kind next(JeexDatabase db) {
        Repositories me = db.actingAs(user);
        Op op = MIX[(int) (step++ % CYCLE)];
        if (op == Op.START && step % CYCLE == 1) {
            correlation = UUID.randomUUID(); // a new request: its agents share one correlation id
        }
        switch (op) {
            case START -> running.add(me.agentExecutions().start(work, "writer", correlation, INPUT).id());
            case COMPLETE -> {
                UUID id = running.poll();
                if (id == null) { // the start before failed: start one instead
                    running.add(me.agentExecutions().start(work, "writer", correlation, INPUT).id());
                } else {
                    me.agentExecutions().complete(id, OUTPUT);
                }
            }
            case APPEND -> me.documents().append(work, "spec", CONTENT, Json.EMPTY, user);
            case STATUS -> {
                status = status == ProjectStatus.COMPLETED ? ProjectStatus.IN_PROGRESS : ProjectStatus.COMPLETED;
                me.projects().changeStatus(statusProject, status);
            }
            case PAGE -> me.projects().listByOwner(user, Optional.empty(), 20, Optional.empty());
            case LATEST -> me.documents().latest(work, "spec");
            case BY_PROJECT -> me.agentExecutions().byProject(work, 20);
            case PROJECT -> me.projects().byId(projects.get((int) (step % PROJECTS)));
            case USER -> me.users().byId(user);
            case BY_CORRELATION -> me.agentExecutions().byCorrelationId(correlation);
            default -> throw new IllegalStateException(op.name());
        }
        return op.kind;
    }
}
