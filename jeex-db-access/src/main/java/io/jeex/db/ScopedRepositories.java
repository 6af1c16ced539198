package io.jeex.db;

import static java.util.Objects.requireNonNull;

import io.jeex.db.repository.AgentExecutionRepository;
import io.jeex.db.repository.DocumentRepository;
import io.jeex.db.repository.ExportRepository;
import io.jeex.db.repository.ProjectRepository;
import io.jeex.db.repository.Repositories;
import io.jeex.db.repository.UserRepository;
import java.util.Optional;
import java.util.UUID;

/** The implementation of {@link Repositories}. */
final class ScopedRepositories implements Repositories {

    private final Scope scope;
    private final UserRepository users;
    private final ProjectRepository projects;
    private final DocumentRepository documents;
    private final AgentExecutionRepository agentExecutions;
    private final ExportRepository exports;

    private ScopedRepositories(Transactions engine, PurgeMetrics purges, Scope scope) {
        this.scope = scope;
        this.users = new UserStore(engine, scope);
        this.projects = new ProjectStore(engine, scope);
        this.documents = new DocumentStore(engine, scope);
        this.agentExecutions = new AgentExecutionStore(engine, scope, purges);
        this.exports = new ExportStore(engine, scope, purges);
    }

    /**
     * Built by {@code JeexDatabase}: use {@link io.jeex.db.JeexDatabase#actingAs(UUID)}.
     *
     * @param engine the engine's port for the repositories' work
     * @param purges the retention purges' meters
     * @param user the acting user
     * @return repositories acting as that user
     * @throws NullPointerException if an argument is null
     */
    static Repositories actingAs(Transactions engine, PurgeMetrics purges, UUID user) {
        return new ScopedRepositories(requireNonNull(engine, "engine"), requireNonNull(purges, "purges"),
                new Scope(requireNonNull(user, "user")));
    }

    /**
     * Built by {@code JeexDatabase}: use {@link io.jeex.db.JeexDatabase#system()}.
     *
     * @param engine the engine's port for the repositories' work
     * @param purges the retention purges' meters
     * @return repositories in system mode
     * @throws NullPointerException if an argument is null
     */
    static Repositories system(Transactions engine, PurgeMetrics purges) {
        return new ScopedRepositories(requireNonNull(engine, "engine"), requireNonNull(purges, "purges"), Scope.SYSTEM);
    }

    @Override
    public Optional<UUID> actingUser() {
        return Optional.ofNullable(scope.user());
    }

    @Override
    public boolean isSystem() {
        return scope.system();
    }

    @Override
    public UserRepository users() {
        return users;
    }

    @Override
    public ProjectRepository projects() {
        return projects;
    }

    @Override
    public DocumentRepository documents() {
        return documents;
    }

    @Override
    public AgentExecutionRepository agentExecutions() {
        return agentExecutions;
    }

    @Override
    public ExportRepository exports() {
        return exports;
    }

    @Override
    public String toString() {
        return "Repositories[" + scope + "]";
    }
}
