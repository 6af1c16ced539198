package io.jeex.db.repository;

/**
 * The order of {@link ProjectRepository#listByOwner(java.util.UUID, java.util.Optional, ProjectOrder, int,
 * java.util.Optional)}, and with it what a listing read page by page guarantees while projects
 * change. A cursor is only valid with the order of the listing that returned it.
 */
public enum ProjectOrder {

    /**
     * Most recently updated first: keyset on ({@code updated_at}, {@code id}), descending. The
     * sort key changes with every update, so a listing read page by page while projects are
     * updated cannot return every project exactly once:
     * <ul>
     *   <li>a project not updated during the listing is returned exactly once;</li>
     *   <li>a project updated during the listing moves to the front, before the cursor: if it
     *       was already returned it is not returned again; if it was not yet returned it is
     *       skipped by this listing. Either way a fresh listing shows it first;</li>
     *   <li>{@code updated_at} is the start time of the updating transaction, so an update
     *       made by a transaction that began before the previous page's last row was last
     *       updated can move a project behind the cursor instead: it is then returned after
     *       all, a second time if it had already been. Short update transactions make this
     *       rare; use {@link #NEWEST_FIRST} when every project must be returned exactly once.</li>
     * </ul>
     * Served by the indexes {@code idx_projects_user_updated} and, with a status filter,
     * {@code idx_projects_user_status}: each page reads only its own rows.
     */
    RECENTLY_UPDATED,

    /**
     * Newest first: keyset on {@code id}, descending. Ids are time-ordered UUID version 7 from
     * the database ({@code uuidv7()}), so this is creation order, to the millisecond across
     * sessions. The key never changes, so every project that exists (and, with a status filter,
     * has that status) from the first page to the last is returned exactly once, whatever
     * updates and renames happen in between; a project created during the listing sorts before
     * the cursor and is not returned, a project deleted during it is not returned after it was
     * deleted.
     *
     * <p>No index on ({@code created_by}, {@code id}) exists, and none is added for this order:
     * PostgreSQL either scans the primary key backwards from the cursor, passing over other
     * owners' projects, or reads the owner's projects through {@code idx_projects_user_updated}
     * (or {@code idx_projects_user_status}) and keeps the top of them, so a page costs more than
     * its own rows when the owner has many projects or few among many (measured: docs/benchmarks.md,
     * "Newest-first pages without an index"). Should owners with far larger, sparser sets of projects
     * appear, an index on {@code projects (created_by, id DESC)}, added by a schema migration,
     * makes every page read only its own rows.
     */
    NEWEST_FIRST
}
