package io.jeex.db.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.jeex.db.JeexDatabase;
import io.jeex.db.repository.AgentExecution;
import io.jeex.db.repository.DocumentVersion;
import io.jeex.db.repository.Export;
import io.jeex.db.repository.ExportStatus;
import io.jeex.db.repository.Json;
import io.jeex.db.repository.NewAgentExecution;
import io.jeex.db.repository.Project;
import io.jeex.db.repository.ProjectStatus;
import io.jeex.db.repository.Repositories;
import io.jeex.db.repository.User;
import io.jeex.db.tx.IsolationLevel;
import io.jeex.db.tx.TxOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The whole repository workload of one user, as a service runs it: every repository, single
 * statements (auto-committed), transactions with options that join repository calls, reads,
 * pagination, batch inserts and deletes. Each call is checked, so a wrong answer fails as
 * loudly as an error.
 */
final class Workload {

    private Workload() {
    }

    /**
     * Runs the workload once, acting as a new user (system mode only for the sign-in lookup by email).
     *
     * @param tag makes emails unique across threads and iterations
     * @return the number of repository calls and transactions made
     */
    static int run(JeexDatabase db, String tag) {
        int calls = 0;
        Repositories me = db.actingAsNewUser();
        User user = me.users().create("user-" + tag + "@example.com", "User " + tag, Json.of("{\"plan\": \"pro\"}"));
        calls++;
        assertThat(db.system().users().byEmail("USER-" + tag + "@example.com")).map(User::id).contains(user.id());
        calls++;
        me.users().recordLogin(user.id());
        me.users().updateName(user.id(), "Renamed " + tag);
        calls += 2;

        Project project = me.projects().create(user.id(), "Project " + tag, "en");
        calls++;
        Project second = me.projects().create(user.id(), "Second " + tag, "de");
        calls++;
        assertThat(me.projects().listByOwner(user.id(), Optional.empty(), 1, Optional.empty()).hasNext()).isTrue();
        calls++;
        me.projects().changeStatus(project.id(), ProjectStatus.IN_PROGRESS);
        calls++;
        Project stepped = me.projects().byId(project.id()).orElseThrow();
        me.projects().changeStep(project.id(), 2, stepped.updatedAt());
        calls += 2;

        for (int v = 1; v <= 3; v++) {
            DocumentVersion dv = me.documents().append(project.id(), "about", "Version " + v + " of " + tag,
                    Json.of("{\"v\": " + v + "}"), user.id());
            assertThat(dv.version()).isEqualTo(v);
            calls++;
        }
        assertThat(me.documents().latest(project.id(), "about")).map(DocumentVersion::version).contains(3);
        assertThat(me.documents().history(project.id(), "about", 2, Optional.empty()).items()).hasSize(2);
        calls += 2;

        UUID correlation = UUID.randomUUID();
        AgentExecution run = me.agentExecutions().start(project.id(), "writer", correlation, Json.of("{\"in\": 1}"));
        me.agentExecutions().complete(run.id(), Json.of("{\"out\": 2}"));
        AgentExecution failed = me.agentExecutions().start(project.id(), "reviewer", correlation, Json.EMPTY);
        me.agentExecutions().fail(failed.id(), "model timeout");
        Instant now = Instant.now();
        me.agentExecutions().insertBatch(List.of(
                NewAgentExecution.completed(project.id(), "batch", correlation, Json.EMPTY, Json.EMPTY,
                        now.minusSeconds(2), now.minusSeconds(1)),
                NewAgentExecution.completed(project.id(), "batch", correlation, Json.EMPTY, Json.EMPTY,
                        now.minusSeconds(1), now)));
        assertThat(me.agentExecutions().byCorrelationId(correlation)).hasSize(4);
        assertThat(me.agentExecutions().byProject(project.id(), 10)).hasSize(4);
        calls += 7;

        Export export = me.exports().create(project.id(), Json.of("{\"files\": []}"), Duration.ofHours(1));
        me.exports().markProcessing(export.id());
        Export done = me.exports().markCompleted(export.id(), "/exports/" + tag + ".zip", Json.of("{\"files\": 1}"));
        assertThat(done.status()).isEqualTo(ExportStatus.COMPLETED);
        calls += 3;

        // a transaction with its own options; the repository calls in it join it
        Project renamed = db.transaction(TxOptions.named("rename_and_note").withIsolation(IsolationLevel.REPEATABLE_READ)
                .withActingUser(user.id()).withTimeout(Duration.ofSeconds(10)), tx -> {
                    Project p = me.projects().rename(project.id(), "Renamed " + tag);
                    me.documents().append(p.id(), "notes", "Renamed.", Json.EMPTY, user.id());
                    return p;
                });
        assertThat(renamed.name()).isEqualTo("Renamed " + tag);
        calls++;
        long count = db.readOnly(TxOptions.named("count_versions").withActingUser(user.id()), tx -> tx.dsl()
                .fetchCount(io.jeex.db.codegen.Tables.DOCUMENT_VERSIONS,
                io.jeex.db.codegen.Tables.DOCUMENT_VERSIONS.PROJECT_ID.eq(project.id())));
        assertThat(count).isEqualTo(4);
        calls++;

        assertThat(me.projects().delete(second.id())).isTrue();
        calls++;
        return calls;
    }
}
