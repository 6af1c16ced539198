package io.jeex.db.repository;

import static java.util.Objects.requireNonNull;

import io.jeex.db.internal.metrics.PurgeMetrics;
import io.jeex.db.internal.tx.Transactions;
import java.util.Optional;
import java.util.UUID;

/**
 * The five repositories, acting for one user or for the system: the acting user is a parameter of
 * every repository call, given once here. Reach them from the database handle:
 * <ul>
 *   <li>{@link io.jeex.db.JeexDatabase#actingAs(UUID) db.actingAs(userId)}: every call acts as
 *       that user, and the row-level security policies of the schema let it reach only their rows
 *       (their own user row, the projects they own and everything in them). A row of another user
 *       is not found, and writing one is refused ({@link io.jeex.db.error.RowSecurityException});</li>
 *   <li>{@link io.jeex.db.JeexDatabase#actingAsNewUser() db.actingAsNewUser()}: the same, for a
 *       user who signs up: {@code users().create} creates the row of the acting user;</li>
 *   <li>{@link io.jeex.db.JeexDatabase#system() db.system()}: every call runs in system mode
 *       ({@link io.jeex.db.tx.TxOptions#asSystem()}), on a connection of its own as the migration
 *       role, which bypasses row-level security, so it reaches every user's rows. For the
 *       system-scoped operations (purges, the sign-in lookup by email) and for operators.</li>
 * </ul>
 * Each operation's javadoc says whether it is <em>user-scoped</em> (it reaches the acting user's
 * rows; in system mode, anyone's) or <em>system-scoped</em> (it crosses users by nature, so it runs
 * on {@code db.system()} only; on a user's repositories it throws
 * {@link io.jeex.db.error.WrongScopeException}).
 *
 * <p>Each call runs in its own transaction, or joins the one running on the thread
 * ({@link io.jeex.db.JeexDatabase#transaction}): a transaction acts as one user only, the one of
 * its {@link io.jeex.db.tx.TxOptions#withActingUser options} or else that of the first call that
 * joins it, and a system call joins only a system-mode transaction. Cheap to create and immutable;
 * thread-safe.
 */
public final class Repositories {

    private final Scope scope;
    private final UserRepository users;
    private final ProjectRepository projects;
    private final DocumentRepository documents;
    private final AgentExecutionRepository agentExecutions;
    private final ExportRepository exports;

    private Repositories(Transactions engine, PurgeMetrics purges, Scope scope) {
        this.scope = scope;
        this.users = new UserRepository(engine, scope);
        this.projects = new ProjectRepository(engine, scope);
        this.documents = new DocumentRepository(engine, scope);
        this.agentExecutions = new AgentExecutionRepository(engine, scope, purges);
        this.exports = new ExportRepository(engine, scope, purges);
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
    public static Repositories actingAs(Transactions engine, PurgeMetrics purges, UUID user) {
        return new Repositories(requireNonNull(engine, "engine"), requireNonNull(purges, "purges"),
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
    public static Repositories system(Transactions engine, PurgeMetrics purges) {
        return new Repositories(requireNonNull(engine, "engine"), requireNonNull(purges, "purges"), Scope.SYSTEM);
    }

    /**
     * Makes the id of a user who signs up ({@link io.jeex.db.JeexDatabase#actingAsNewUser()}).
     *
     * @return a new UUIDv7, time-ordered like the ids of every other row
     */
    public static UUID newUserId() {
        return Ids.next();
    }

    /** @return the user these repositories act as, or empty in system mode */
    public Optional<UUID> actingUser() {
        return Optional.ofNullable(scope.user());
    }

    /** @return whether these repositories run in system mode */
    public boolean isSystem() {
        return scope.system();
    }

    /** @return the users repository */
    public UserRepository users() {
        return users;
    }

    /** @return the projects repository */
    public ProjectRepository projects() {
        return projects;
    }

    /** @return the document versions repository */
    public DocumentRepository documents() {
        return documents;
    }

    /** @return the agent executions repository */
    public AgentExecutionRepository agentExecutions() {
        return agentExecutions;
    }

    /** @return the exports repository */
    public ExportRepository exports() {
        return exports;
    }

    @Override
    public String toString() {
        return "Repositories[" + scope + "]";
    }
}
