package io.jeex.db.cli;

import io.jeex.db.JeexDatabase;
import io.jeex.db.error.ConcurrentUpdateException;
import io.jeex.db.error.UniqueViolationException;
import io.jeex.db.repository.AgentExecution;
import io.jeex.db.repository.DocumentVersion;
import io.jeex.db.repository.DocumentVersionInfo;
import io.jeex.db.repository.Export;
import io.jeex.db.repository.ExportStatus;
import io.jeex.db.repository.Json;
import io.jeex.db.repository.NewAgentExecution;
import io.jeex.db.repository.Page;
import io.jeex.db.repository.Project;
import io.jeex.db.repository.ProjectStatus;
import io.jeex.db.repository.Repositories;
import io.jeex.db.repository.User;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** A short, realistic JEEX flow through every repository, printed as it goes. */
final class Demo {

    private final JeexDatabase db;
    private final PrintStream out;

    Demo(JeexDatabase db, PrintStream out) {
        this.db = db;
        this.out = out;
    }

    int run() {
        long started = System.nanoTime();
        out.println(Commands.Migrate.migrateLine(db.migrate()));

        // A user signs up and signs in; the same email in other case is refused. Every call of the
        // flow acts as her (row-level security: she reaches her own rows only).
        String email = "ada." + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        Repositories asAda = db.actingAsNewUser();
        User ada = asAda.users().create(email, "Ada Lovelace", Json.of("{\"theme\": \"dark\"}"));
        ada = asAda.users().recordLogin(ada.id());
        out.println("user: " + ada.name() + " <" + ada.email() + "> signed up and signed in, id " + ada.id());
        try {
            db.actingAsNewUser().users().create(email.toUpperCase(java.util.Locale.ROOT), "Impostor");
        } catch (UniqueViolationException e) {
            out.println("  the same email in upper case is refused: " + e.getMessage());
        }

        // She creates a project and works through the steps.
        Project project = asAda.projects().create(ada.id(), "Analytical Engine", "en");
        ProjectStatus created = project.status();
        int firstStep = project.currentStep();
        project = asAda.projects().changeStatus(project.id(), ProjectStatus.IN_PROGRESS);
        Project read = project;
        project = asAda.projects().changeStep(project.id(), 2, project.updatedAt());
        out.println("project: " + project.name() + " (" + project.language() + "), status " + created.dbValue()
                + " -> " + project.status().dbValue() + ", step " + firstStep + " -> " + project.currentStep());
        try {
            asAda.projects().changeStep(read.id(), 3, read.updatedAt()); // a stale browser tab
        } catch (ConcurrentUpdateException e) {
            out.println("  a step change from a stale copy is refused: " + e.getMessage());
        }

        // Documents are written and rewritten.
        asAda.documents().append(project.id(), "about", "An engine that computes.", Json.of("{\"words\": 4}"), ada.id());
        DocumentVersion about = asAda.documents().append(project.id(), "about",
                "An engine that computes any function.", Json.of("{\"words\": 6}"), ada.id());
        DocumentVersion specs = asAda.documents().append(project.id(), "specs", "Store: 1000 numbers of 50 digits.",
                Json.EMPTY, ada.id());
        Page<DocumentVersionInfo> history = asAda.documents().history(project.id(), "about", 10, Optional.empty());
        int documentVersions = history.items().size() + specs.version();
        out.println("documents: " + documentVersions + " versions: about v1 and v" + about.version() + " (history "
                + history.items().size() + "), specs v" + asAda.documents().latest(project.id(), "specs").orElseThrow()
                .version());

        // Agents run for one request: two complete, one fails; then a batch of 100 validator runs.
        UUID correlation = UUID.randomUUID();
        AgentExecution analyst = asAda.agentExecutions().start(project.id(), "business_analyst", correlation,
                Json.of("{\"idea\": \"computing engine\"}"));
        AgentExecution architect = asAda.agentExecutions().start(project.id(), "architect", correlation, null);
        AgentExecution planner = asAda.agentExecutions().start(project.id(), "planner", correlation, null);
        asAda.agentExecutions().complete(analyst.id(), Json.of("{\"summary\": \"feasible\"}"));
        asAda.agentExecutions().complete(architect.id(), Json.of("{\"components\": 4}"));
        asAda.agentExecutions().fail(planner.id(), "model timed out");
        List<NewAgentExecution> log = new ArrayList<>();
        Instant t0 = Instant.now().minusSeconds(600);
        for (int i = 0; i < 100; i++) {
            log.add(NewAgentExecution.completed(project.id(), "validator", correlation, null,
                    Json.of("{\"check\": " + i + "}"), t0.plusSeconds(i), t0.plusSeconds(i + 1)));
        }
        int logged = asAda.agentExecutions().insertBatch(log);
        List<AgentExecution> run = asAda.agentExecutions().byCorrelationId(correlation);
        long failed = run.stream().filter(e -> e.status().name().equals("FAILED")).count();
        long completed = run.stream().filter(e -> e.status().name().equals("COMPLETED")).count();
        out.println("agents: request " + correlation + ": 3 agents ran (2 completed, 1 failed), then " + logged
                + " validator runs were stored in one batch: " + run.size() + " executions, " + completed
                + " completed, " + failed + " failed");

        // An export is made, completes, expires and is purged by the retention job, in system mode.
        Export export = asAda.exports().create(project.id(), Json.of("{\"documents\": [\"about\", \"specs\"]}"),
                Duration.ofMillis(500));
        ExportStatus requested = export.status();
        asAda.exports().markProcessing(export.id());
        export = asAda.exports().markCompleted(export.id(), "exports/" + export.id() + ".zip", export.manifest());
        out.println("export: " + export.filePath().orElseThrow() + ", status " + requested.dbValue()
                + " -> processing -> " + export.status().dbValue() + ", expires " + export.expiresAt());
        List<Export> expired = awaitExpired();
        List<String> purged = db.system().exports().purgeExpired(100);
        out.println("  " + expired.size() + " export expired; purged, its file to delete: " + String.join(", ", purged));

        ProjectStatus before = project.status();
        project = asAda.projects().changeStatus(project.id(), ProjectStatus.COMPLETED);
        out.println("project: status " + before.dbValue() + " -> " + project.status().dbValue());
        out.println("summary: 1 user, 1 project (" + project.status().dbValue() + "), " + documentVersions
                + " document versions, " + run.size() + " agent executions (" + completed + " completed, " + failed
                + " failed), " + purged.size() + " export made and purged, in "
                + (System.nanoTime() - started) / 1_000_000 + " ms");
        return 0;
    }

    /** Waits (polling the database clock) until the short-lived export has expired. */
    private List<Export> awaitExpired() {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            List<Export> expired = db.system().exports().listExpired(100);
            if (!expired.isEmpty()) {
                return expired;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new IllegalStateException("the export did not expire within 10 s");
    }
}
