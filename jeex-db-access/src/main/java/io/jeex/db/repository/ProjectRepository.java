package io.jeex.db.repository;

import io.jeex.db.error.ConcurrentUpdateException;
import io.jeex.db.error.IllegalTransitionException;
import io.jeex.db.error.InvalidInputException;
import io.jeex.db.error.NotFoundException;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * Projects: create, find, list an owner's projects page by page, rename, change status along
 * the allowed transitions ({@link ProjectStatus}), change step with optimistic concurrency,
 * delete (which deletes the project's document versions, agent executions and exports).
 *
 * <p>Every operation is user-scoped: on {@code db.actingAs(id)} it reaches the projects that user
 * owns (another user's project is not found, and is never listed), on {@code db.system()} every
 * project.
 */
public interface ProjectRepository {

    /**
     * Creates a draft project at step 1.
     *
     * @param ownerId the owning user
     * @param name project name, stored stripped of leading and trailing white space, at most 255
     *     characters
     * @param language document language, for example {@code en} or {@code pt-BR} (leading and
     *     trailing white space is stripped)
     * @return the stored project
     * @throws InvalidInputException if a value breaks a rule
     * @throws io.jeex.db.error.ForeignKeyViolationException if the owner does not exist
     * @throws io.jeex.db.error.RowSecurityException if the owner is not the acting user
     */
    Project create(UUID ownerId, String name, String language);

    /**
     * Finds a project. One round trip: the acting user travels with the SELECT.
     *
     * @param id the id
     * @return the project, or empty
     * @throws InvalidInputException if the id is null
     */
    Optional<Project> byId(UUID id);

    /**
     * Lists an owner's projects, most recently updated first ({@link ProjectOrder#RECENTLY_UPDATED}),
     * one page at a time. Keyset pagination on (updated_at, id): each page continues right after
     * the last row of the previous one, so adding or deleting projects between pages neither
     * repeats nor skips others. Updates between pages move projects: see
     * {@link ProjectOrder#RECENTLY_UPDATED} for exactly what this listing guarantees, and
     * {@link ProjectOrder#NEWEST_FIRST} for an order that returns every project exactly once.
     *
     * @param ownerId the owner; for another owner than the acting user the page is empty
     * @param status only projects in this status, or empty for all
     * @param limit page size, 1 to 1000
     * @param cursor empty for the first page, else {@link Page#nextCursor()} of the previous page
     * @return the page
     * @throws InvalidInputException if the owner, status or cursor is null, the limit is out of
     *     range, or the cursor is malformed or from a listing in another order
     */
    Page<Project> listByOwner(UUID ownerId, Optional<ProjectStatus> status, int limit, Optional<String> cursor);

    /**
     * Lists an owner's projects in the given order, one page at a time (keyset pagination: each
     * page continues right after the last row of the previous one). What a listing guarantees
     * while projects change between pages depends on the order: see {@link ProjectOrder}.
     *
     * @param ownerId the owner
     * @param status only projects in this status, or empty for all
     * @param order the order; the cursor must come from a listing in the same order
     * @param limit page size, 1 to 1000
     * @param cursor empty for the first page, else {@link Page#nextCursor()} of the previous page
     * @return the page
     * @throws InvalidInputException if the owner, status, order or cursor is null, the limit is
     *     out of range, or the cursor is malformed or from a listing in another order
     */
    Page<Project> listByOwner(UUID ownerId, Optional<ProjectStatus> status, ProjectOrder order, int limit,
            Optional<String> cursor);

    /**
     * Renames a project.
     *
     * @param id the project
     * @param name the new name, stored stripped of leading and trailing white space, at most 255
     *     characters
     * @return the updated project
     * @throws InvalidInputException if the id is null or the name breaks a rule
     * @throws NotFoundException if there is no such project
     */
    Project rename(UUID id, String name);

    /**
     * Changes a project's status if {@link ProjectStatus#next()} allows it; atomic under
     * concurrency (the check is part of the UPDATE).
     *
     * @param id the project
     * @param to the new status
     * @return the updated project
     * @throws InvalidInputException if the id or the new status is null
     * @throws NotFoundException if there is no such project
     * @throws IllegalTransitionException if the current status does not allow the change
     */
    Project changeStatus(UUID id, ProjectStatus to);

    /**
     * Moves a project to another step, only if it has not changed since it was read
     * (optimistic concurrency: {@code expectedUpdatedAt} is the {@link Project#updatedAt()} the
     * caller saw). Of two concurrent changes from the same read, one wins; the other fails.
     *
     * @param id the project
     * @param step the new step, 1 to 4
     * @param expectedUpdatedAt the version the caller read
     * @return the updated project, with a new {@link Project#updatedAt()}
     * @throws InvalidInputException if the id or version is null or the step is outside 1..4
     * @throws NotFoundException if there is no such project
     * @throws ConcurrentUpdateException if the project changed since it was read
     */
    Project changeStep(UUID id, int step, Instant expectedUpdatedAt);

    /**
     * Deletes a project with its document versions, agent executions and exports.
     *
     * @param id the project
     * @return true if it existed; after a lost connection, also when an earlier attempt of this
     *     call already deleted it (the library cannot tell that from a project that never existed)
     * @throws InvalidInputException if the id is null
     */
    boolean delete(UUID id);
}
