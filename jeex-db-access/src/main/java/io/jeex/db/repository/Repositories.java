package io.jeex.db.repository;

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
public interface Repositories {

    /** @return the user these repositories act as, or empty in system mode */
    Optional<UUID> actingUser();

    /** @return whether these repositories run in system mode */
    boolean isSystem();

    /** @return the users repository */
    UserRepository users();

    /** @return the projects repository */
    ProjectRepository projects();

    /** @return the document versions repository */
    DocumentRepository documents();

    /** @return the agent executions repository */
    AgentExecutionRepository agentExecutions();

    /** @return the exports repository */
    ExportRepository exports();
}
